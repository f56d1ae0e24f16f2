import { serializeInplaceUpdateState } from '@agentbox/core';
import { describe, expect, it } from 'vitest';
import { testPod } from '../internal/test-pods.js';
import { restartCauseOf } from './reconcile-unexpected-restarts.js';

const completed = serializeInplaceUpdateState({
  phase: 'completed',
  targetPodPhase: 'running',
  targetImages: { main: 'work:1' },
  updateTimestamp: new Date('2026-01-01T00:00:00Z'),
  stableContainerStatuses: { main: { containerID: 'containerd://a', restartCount: 0 } },
});

const podWith = (statuses: object[]) =>
  testPod('p', {
    phase: 'running',
    annotations: { 'agentbox.navix.sh/inplace-update-state': completed },
    status: { containerStatuses: statuses as never },
  });

describe('restartCauseOf', () => {
  it('names the restarted workload container with its last termination reason and exit code', () => {
    const pod = podWith([
      {
        name: 'main',
        containerID: 'containerd://b',
        lastState: { terminated: { reason: 'OOMKilled', exitCode: 137 } },
      },
    ]);
    expect(restartCauseOf(pod)).toEqual({ container: 'main', reason: 'OOMKilled', exitCode: 137 });
  });

  it('falls back to UnexpectedRestart without a recorded termination', () => {
    expect(restartCauseOf(podWith([{ name: 'main', containerID: 'containerd://b' }]))).toEqual({
      container: 'main',
      reason: 'UnexpectedRestart',
    });
  });

  it('ignores an unchanged workload container and sidecars outside the snapshot', () => {
    const pod = podWith([
      { name: 'main', containerID: 'containerd://a' },
      {
        name: 'sidecar',
        containerID: 'containerd://new',
        lastState: { terminated: { reason: 'Error', exitCode: 1 } },
      },
    ]);
    expect(restartCauseOf(pod)).toBeUndefined();
  });
});
