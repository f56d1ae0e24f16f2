import {
  type Pod,
  PodAnnotationInPlaceUpdateStateKey,
  SandboxIDLabelKey,
  SandboxPhaseLabelKey,
} from '@agentbox/core';
import { describe, expect, it } from 'vitest';
import { completionPatch } from './patch-update-completed.js';

const pod = (labels: Record<string, string>, annotations: Record<string, string>): Pod =>
  ({ metadata: { name: 'p', namespace: 'n', labels, annotations } }) as Pod;

describe('completionPatch', () => {
  it('tests the phase label and the state first, then adds the changes and removes what went', () => {
    const before = pod(
      { [SandboxPhaseLabelKey]: 'stopping', [SandboxIDLabelKey]: 'id-1', keep: 'x' },
      { [PodAnnotationInPlaceUpdateStateKey]: '{"phase":"starting"}', 'a/b~c': 'gone', same: 's' },
    );
    const after = pod(
      { [SandboxPhaseLabelKey]: 'idle', keep: 'x' },
      { [PodAnnotationInPlaceUpdateStateKey]: '{"phase":"completed"}', same: 's' },
    );
    const ops = completionPatch(before, after);
    const esc = (k: string) => k.replaceAll('/', '~1');
    expect(ops).toEqual([
      { op: 'test', path: `/metadata/labels/${esc(SandboxPhaseLabelKey)}`, value: 'stopping' },
      {
        op: 'test',
        path: `/metadata/annotations/${esc(PodAnnotationInPlaceUpdateStateKey)}`,
        value: '{"phase":"starting"}',
      },
      { op: 'add', path: `/metadata/labels/${esc(SandboxPhaseLabelKey)}`, value: 'idle' },
      { op: 'remove', path: `/metadata/labels/${esc(SandboxIDLabelKey)}` },
      {
        op: 'add',
        path: `/metadata/annotations/${esc(PodAnnotationInPlaceUpdateStateKey)}`,
        value: '{"phase":"completed"}',
      },
      { op: 'remove', path: '/metadata/annotations/a~1b~0c' },
    ]);
  });
});
