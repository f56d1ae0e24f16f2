import { describe, expect, it } from 'vitest';
import { describeSandboxRef, sandboxFromPod } from './sandbox.js';

const p = 'agentbox.navix.sh/';

describe('sandboxFromPod', () => {
  it('reads id, pool, phase, images and the claim times', () => {
    const sandbox = sandboxFromPod({
      metadata: {
        name: 'web-abc',
        namespace: 'ns',
        labels: { [`${p}sandbox-pool`]: 'web', [`${p}sandbox-phase`]: 'running', [`${p}sandbox-id`]: 'sb-1' },
        annotations: {
          [`${p}claimed-at`]: '2026-01-01T00:00:00Z',
          [`${p}started-at`]: '2026-01-01T00:00:02Z',
          [`${p}last-active`]: '2026-01-01T00:00:03Z',
        },
      },
      spec: {
        containers: [
          { name: 'main', image: 'app:v1' },
          { name: 'sidecar', image: 'envoy' },
        ],
      },
    });
    expect(sandbox).toEqual({
      id: 'sb-1',
      namespace: 'ns',
      pool: 'web',
      pod: 'web-abc',
      phase: 'running',
      images: { main: 'app:v1', sidecar: 'envoy' },
      claimedAt: '2026-01-01T00:00:00Z',
      startedAt: '2026-01-01T00:00:02Z',
      lastActive: '2026-01-01T00:00:03Z',
    });
  });

  it('carries the stop record of a stopping sandbox; falls back to the id annotation', () => {
    const sandbox = sandboxFromPod({
      metadata: {
        name: 'x',
        labels: { [`${p}sandbox-phase`]: 'stopping' },
        annotations: {
          [`${p}sandbox-id`]: 'sb-2',
          [`${p}stop-reason`]: 'Released',
          [`${p}failure-reason`]: 'StartupTimeout',
        },
      },
    });
    expect(sandbox).toMatchObject({
      id: 'sb-2',
      phase: 'stopping',
      stopReason: 'Released',
      failureReason: 'StartupTimeout',
    });
  });

  it('an unlabelled or failed pod and a partial object do not throw', () => {
    expect(sandboxFromPod({})).toEqual({
      id: '',
      namespace: '',
      pool: '',
      pod: '',
      phase: 'idle',
      images: {},
    });
    expect(sandboxFromPod({ status: { phase: 'Failed' } }).phase).toBe('failed');
  });

  it('describes a ref', () => {
    expect(describeSandboxRef({ namespace: 'n', sandboxId: 'sb' })).toBe('sb');
    expect(describeSandboxRef({ namespace: 'n', pod: 'p' })).toBe('pod/p');
  });
});
