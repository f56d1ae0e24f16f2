import { ApiException, type V1ContainerStatus } from '@kubernetes/client-node';
import { podFields, type TerminalPhase } from './pod-fields.js';
import type { SimContext } from './sim-context.js';

/** Which pod to write, and the pod-level facts kubelet keeps beside the container statuses. */
export interface PodStatusTarget {
  namespace: string;
  name: string;
  /** The write is dropped when the pod by this name has another UID (it was recreated). */
  uid: string | undefined;
  terminal: TerminalPhase | undefined;
  podIP: string | undefined;
  startTime: Date | undefined;
  /** True when the write is no longer wanted (pod gone, simulator stopped). */
  cancelled(): boolean;
}

/**
 * Writes one status through the `pods/status` subresource, as kubelet does: after
 * `statusLagMs`, on a fresh read of the pod (keeping fields others own, such as
 * `qosClass` and foreign conditions), retrying on 409. Returns false when the pod is
 * gone or was replaced (nothing written).
 */
export async function writePodStatus(
  ctx: SimContext,
  target: PodStatusTarget,
  statuses: V1ContainerStatus[],
): Promise<boolean> {
  if (ctx.statusLagMs > 0) await new Promise((r) => setTimeout(r, ctx.statusLagMs));
  const { name, namespace } = target;
  for (let attempt = 0; ; attempt++) {
    if (target.cancelled()) return false;
    let fresh: Awaited<ReturnType<typeof ctx.core.readNamespacedPod>>;
    try {
      fresh = await ctx.core.readNamespacedPod({ name, namespace });
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return false;
      throw err;
    }
    if (fresh.metadata?.uid !== target.uid) return false;
    const fields = podFields(statuses, target.terminal, fresh.status?.conditions, new Date());
    if (ctx.generationStatusWrite) {
      // kubelet 1.35 stamps the generation it acted on on every condition it writes.
      const generation = fresh.metadata?.generation;
      // ...and always reports PodScheduled, also for a pod created with spec.nodeName (no scheduler).
      if (!fields.conditions.some((c) => c.type === 'PodScheduled')) {
        fields.conditions.push({
          type: 'PodScheduled',
          status: 'True',
          lastTransitionTime: target.startTime ?? new Date(),
        });
      }
      fields.conditions = fields.conditions.map((c) => ({ ...c, observedGeneration: generation }));
    }
    const { reason: _reason, message: _message, ...kept } = fresh.status ?? {};
    fresh.status = {
      ...kept,
      ...fields,
      observedGeneration: fresh.metadata?.generation,
      hostIP: ctx.hostIP,
      hostIPs: [{ ip: ctx.hostIP }],
      podIP: target.podIP,
      podIPs: target.podIP ? [{ ip: target.podIP }] : [],
      startTime: target.startTime,
      containerStatuses: statuses,
    };
    try {
      await ctx.core.replaceNamespacedPodStatus({ name, namespace, body: fresh });
      return true;
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return false;
      if (!(err instanceof ApiException && err.code === 409) || attempt >= 10) throw err;
    }
  }
}
