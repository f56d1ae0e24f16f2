import type { KubeClient } from '../kube/kube-client.js';
import { poolsPath } from '../kube/kube-paths.js';
import type { SandboxPool } from '../pool/sandbox-pool.js';
import { createInformer } from './create-informer.js';
import type { Informer, InformerOptions } from './informer.js';
import { trimPool } from './trim-pool.js';

/** Options of createPoolInformer: the namespace (default: all) and any informer option to override. */
export interface PoolInformerOptions extends Partial<Omit<InformerOptions<SandboxPool>, 'kube' | 'path'>> {
  namespace?: string;
}

/** An informer of SandboxPools (managedFields dropped by trimPool). */
export function createPoolInformer(
  kube: KubeClient,
  options: PoolInformerOptions = {},
): Informer<SandboxPool> {
  const { namespace, ...overrides } = options;
  return createInformer<SandboxPool>({ transform: trimPool, ...overrides, kube, path: poolsPath(namespace) });
}
