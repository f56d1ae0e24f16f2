import type { UpdateExplanation } from '@agentbox/core';
import { describe, expect, it } from 'vitest';
import { pendingReason, summarizeExplanation } from './explanation-summary.js';

const pending = (container: Partial<UpdateExplanation['containers'][number]>): UpdateExplanation => ({
  pod: 'ns/p',
  completed: false,
  containers: [
    { container: 'side', done: true, message: 'running sha256:1' },
    { container: 'main', done: false, message: 'm', ...container },
  ],
});

describe('explanation summaries', () => {
  it("prefer kubelet's waiting reason and message", () => {
    const e = pending({
      reason: 'ContainerIDUnchanged',
      message: 'container x has not been replaced yet (waiting: ImagePullBackOff)',
      waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "a:nope"' },
    });
    expect(pendingReason(e)).toBe('ImagePullBackOff: Back-off pulling image "a:nope"');
    expect(summarizeExplanation(e)).toBe('container main: ImagePullBackOff: Back-off pulling image "a:nope"');
  });
  it("fall back to explainUpdate's reason", () => {
    expect(summarizeExplanation(pending({ reason: 'DigestMismatch', message: 'running a, target b' }))).toBe(
      'container main: DigestMismatch: running a, target b',
    );
    expect(pendingReason(pending({ waiting: { reason: 'ErrImagePull' }, message: 'no digest' }))).toBe(
      'ErrImagePull: no digest',
    );
  });
  it('are absent for a completed update', () => {
    expect(summarizeExplanation({ pod: 'ns/p', completed: true, containers: [] })).toBeUndefined();
  });
});
