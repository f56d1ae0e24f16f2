import { type Pod, SandboxIDLabelKey, SandboxPoolLabelKey } from '@agentbox/core';
import { isNotFoundError } from '../../kube/kube-api-error.js';
import type { KubeClient } from '../../kube/kube-client.js';
import { podsPath } from '../../kube/kube-paths.js';
import { describeSandboxRef, type SandboxRef } from '../sandbox.js';
import { SandboxNotFoundError } from '../sandbox-not-found-error.js';
import { isValidSandboxId } from './sandbox-id.js';

/**
 * The pod a ref names, read fresh: by name (a pool pod), or the pod whose `sandbox-id` label is the id (a
 * label-selected LIST). Neither found → SandboxNotFoundError.
 */
export async function findSandboxPod(kube: KubeClient, ref: SandboxRef, signal?: AbortSignal): Promise<Pod> {
  if ('pod' in ref) {
    let pod: Pod;
    try {
      pod = await kube.request<Pod>({ path: podsPath(ref.namespace, ref.pod), signal });
    } catch (err) {
      if (isNotFoundError(err))
        throw new SandboxNotFoundError(ref.namespace, describeSandboxRef(ref), { cause: err });
      throw err;
    }
    // A pod outside every pool is no sandbox.
    if (pod.metadata?.labels?.[SandboxPoolLabelKey] === undefined)
      throw new SandboxNotFoundError(ref.namespace, describeSandboxRef(ref));
    return pod;
  }
  if (!isValidSandboxId(ref.sandboxId))
    throw new SandboxNotFoundError(ref.namespace, describeSandboxRef(ref));
  const list = await kube.request<{ items?: Pod[] }>({
    path: podsPath(ref.namespace),
    query: { labelSelector: `${SandboxIDLabelKey}=${ref.sandboxId}` },
    signal,
  });
  const items = (list.items ?? []).filter((p) => !p.metadata?.deletionTimestamp);
  const pod = items[0] ?? list.items?.[0];
  if (pod === undefined) throw new SandboxNotFoundError(ref.namespace, describeSandboxRef(ref));
  return pod;
}
