import type { Pod } from '@agentbox/core';
import type { SandboxPool } from '../sandbox-pool.js';

// Builders of plain pod and pool objects for the pure units of this folder (no API server involved).

/** Options of testPod. */
export interface TestPodOptions {
  phase?: string;
  ready?: boolean;
  created?: string;
  hash?: string;
  annotations?: Record<string, string>;
  status?: Pod['status'];
  deleting?: boolean;
}

/** A pool pod named `name` with the given sandbox phase label. */
export function testPod(name: string, o: TestPodOptions = {}): Pod {
  const labels: Record<string, string> = { 'agentbox.navix.sh/sandbox-pool': 'p' };
  if (o.phase !== undefined) labels['agentbox.navix.sh/sandbox-phase'] = o.phase;
  if (o.hash !== undefined) labels['agentbox.navix.sh/template-hash'] = o.hash;
  const status = {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    ...(o.status ?? {}),
  };
  return {
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      resourceVersion: '1',
      labels,
      annotations: o.annotations ?? {},
      creationTimestamp: o.created ?? '2026-01-01T00:00:00Z',
      ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:10:00Z' } : {}),
    },
    spec: { containers: [{ name: 'main', image: 'idle:1' }] },
    status,
  } as Pod;
}

/** A pool `p` in namespace `ns`. */
export function testPool(spec: Partial<NonNullable<SandboxPool['spec']>> = {}): SandboxPool {
  return {
    apiVersion: 'agents.navix.sh/v1alpha1',
    kind: 'SandboxPool',
    metadata: { name: 'p', namespace: 'ns', uid: 'pool-uid', generation: 2 },
    spec: {
      replicas: 3,
      idleImage: 'idle:1',
      template: {
        spec: {
          containers: [
            { name: 'main', image: 'work:1' },
            { name: 'side', image: 'side:1' },
          ],
        },
      },
      ...spec,
    },
  };
}
