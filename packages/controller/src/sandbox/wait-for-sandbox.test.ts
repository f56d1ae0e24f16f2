import type { Pod } from '@agentbox/core';
import { describe, expect, it } from 'vitest';
import { sandboxFromPod } from './sandbox.js';
import { SandboxStoppedError } from './sandbox-stopped-error.js';
import { decide } from './wait-for-sandbox.js';

const p = 'agentbox.navix.sh/';
const pod = (phase: string, id?: string, annotations: Record<string, string> = {}): Pod => ({
  metadata: {
    name: 'pod-a',
    labels: { [`${p}sandbox-phase`]: phase, ...(id ? { [`${p}sandbox-id`]: id } : {}) },
    annotations,
  },
});
const last = sandboxFromPod(pod('starting', 'sb'));
const verdict = (want: 'running' | 'idle' | 'released', current: Pod | undefined, id = 'sb') =>
  decide(want, current, last, id, 'pod-a');

describe('wait verdicts', () => {
  it('running: done when running, pending while starting, stopped otherwise', () => {
    expect(verdict('running', pod('running', 'sb'))).toMatchObject({ done: { phase: 'running', id: 'sb' } });
    expect(verdict('running', pod('starting', 'sb'))).toBeUndefined();
    const stopped = verdict(
      'running',
      pod('stopping', 'sb', {
        [`${p}stop-reason`]: 'Released',
        [`${p}failure-reason`]: 'StartupTimeout',
        [`${p}failure-message`]: 'ImagePullBackOff: nope',
      }),
    );
    const err = (stopped as { fail: SandboxStoppedError }).fail;
    expect(err).toBeInstanceOf(SandboxStoppedError);
    expect(err.message).toBe(
      'sandbox sb (pod pod-a) was stopped while waiting for running: Released (StartupTimeout: ImagePullBackOff: nope)',
    );
    expect((verdict('running', pod('idle')) as { fail: Error }).fail.message).toBe(
      'sandbox sb (pod pod-a) went back to idle while waiting for running',
    );
    expect((verdict('running', pod('starting', 'other')) as { fail: SandboxStoppedError }).fail.phase).toBe(
      'reclaimed',
    );
    expect((verdict('running', undefined) as { fail: SandboxStoppedError }).fail.phase).toBe('deleted');
  });

  it('a wait by pod name on an unclaimed pod keeps waiting for a claim', () => {
    expect(verdict('running', pod('idle'), '')).toBeUndefined();
  });

  it('released: the id gone, the pod idle or deleted', () => {
    expect(verdict('released', pod('stopping', 'sb'))).toBeUndefined();
    expect(verdict('released', pod('idle'))).toMatchObject({ done: { phase: 'idle' } });
    expect(verdict('released', pod('starting', 'other'))).toMatchObject({ done: { id: 'other' } });
    expect(verdict('released', undefined)).toEqual({ done: last });
  });

  it('idle: done when idle, failed or deleted is an error', () => {
    expect(verdict('idle', pod('idle'))).toMatchObject({ done: { phase: 'idle' } });
    expect(verdict('idle', pod('stopping', 'sb'))).toBeUndefined();
    const failed: Pod = {
      ...pod('failed'),
      status: { phase: 'Failed', reason: 'Evicted', message: 'low memory' },
    };
    expect((verdict('idle', failed) as { fail: Error }).fail.message).toBe(
      'sandbox sb (pod pod-a) failed while waiting for idle: Evicted: low memory',
    );
    expect(verdict('idle', undefined)).toHaveProperty('fail');
  });
});
