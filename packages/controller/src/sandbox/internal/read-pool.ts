import { isNotFoundError } from '../../kube/kube-api-error.js';
import type { KubeClient } from '../../kube/kube-client.js';
import { poolsPath } from '../../kube/kube-paths.js';
import type { SandboxPool } from '../../pool/sandbox-pool.js';
import { PoolNotFoundError } from '../pool-not-found-error.js';

/** Reads a SandboxPool; a missing one (or a cluster without the CRD) is PoolNotFoundError. */
export async function readPool(
  kube: KubeClient,
  namespace: string,
  name: string,
  signal?: AbortSignal,
): Promise<SandboxPool> {
  try {
    return await kube.request<SandboxPool>({ path: poolsPath(namespace, name), signal });
  } catch (err) {
    if (isNotFoundError(err)) throw new PoolNotFoundError(namespace, name, { cause: err });
    throw err;
  }
}
