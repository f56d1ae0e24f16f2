import { ApiException, type V1Pod } from '@kubernetes/client-node';
import type { SimContext } from './sim-context.js';

/**
 * Binds the pod to the simulated node through `pods/binding`, as the scheduler does.
 * Returns false when someone else bound it first (409).
 */
export async function bindPod(ctx: SimContext, pod: V1Pod): Promise<boolean> {
  const { name, namespace, uid } = pod.metadata ?? {};
  try {
    await ctx.core.createNamespacedBinding({
      namespace: namespace!,
      body: {
        metadata: { name: name!, uid },
        target: { apiVersion: 'v1', kind: 'Node', name: ctx.nodeName },
      },
    });
    return true;
  } catch (err) {
    if (err instanceof ApiException && err.code === 409) return false;
    throw err;
  }
}

/**
 * kubelet's last word on a pod being deleted, once its containers are gone: a delete
 * with no grace period left, guarded by the pod's UID. A pod already gone is fine.
 */
export async function finishPodDeletion(ctx: SimContext, pod: V1Pod): Promise<void> {
  const { name, namespace, uid } = pod.metadata ?? {};
  try {
    await ctx.core.deleteNamespacedPod({
      name: name!,
      namespace: namespace!,
      // With a body, kube-apiserver ignores the query's options: the grace period goes in the body.
      body: { gracePeriodSeconds: 0, preconditions: { uid } },
    });
  } catch (err) {
    if (!(err instanceof ApiException && (err.code === 404 || err.code === 409))) throw err;
  }
}
