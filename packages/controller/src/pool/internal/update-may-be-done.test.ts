import type { InplaceUpdateState, Pod } from '@agentbox/core';
import { describe, expect, it } from 'vitest';
import { updateMayBeDone } from './update-may-be-done.js';

const state: InplaceUpdateState = {
  phase: 'starting',
  targetImages: { main: 'reg/app:2' },
  updateTimestamp: new Date(0),
  lastContainerStatuses: { main: { containerID: 'containerd://old' } },
};
const running = { running: { startedAt: '2026-01-01T00:00:00Z' } };
const pod = (image: string, containerID?: string, containerState: object = running): Pod => ({
  spec: { containers: [{ name: 'main', image }] },
  status: {
    containerStatuses: [{ name: 'main', state: containerState, ...(containerID ? { containerID } : {}) }],
  },
});

describe('updateMayBeDone', () => {
  it('is false while the spec is not at the target or the container was not replaced', () => {
    expect(updateMayBeDone(pod('reg/app:1', 'containerd://new'), state)).toBe(false);
    expect(updateMayBeDone(pod('reg/app:2', 'containerd://old'), state)).toBe(false);
    expect(updateMayBeDone(pod('reg/app:2'), state)).toBe(false);
    expect(updateMayBeDone({ spec: pod('reg/app:2').spec }, state)).toBe(false);
  });

  it('is false while the status does not show the container running (a half-written status)', () => {
    const killed = { terminated: { exitCode: 137 } };
    expect(updateMayBeDone(pod('reg/app:2', 'containerd://new', killed), state)).toBe(false);
    expect(
      updateMayBeDone(pod('reg/app:2', 'containerd://idle', killed), {
        ...state,
        lastContainerStatuses: { main: {} },
      }),
    ).toBe(false);
  });

  it('is true once replaced, or when no container ID was recorded (the resolver decides)', () => {
    expect(updateMayBeDone(pod('reg/app:2', 'containerd://new'), state)).toBe(true);
    expect(updateMayBeDone(pod('reg/app:2'), { ...state, lastContainerStatuses: { main: {} } })).toBe(true);
  });
});
