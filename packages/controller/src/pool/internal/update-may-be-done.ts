import type { InplaceUpdateState, Pod } from '@agentbox/core';

/**
 * False when the pod's update is certainly not done yet, by the checks of isInplaceUpdateCompleted that need
 * no resolver: a container's spec image is not its target, a container whose ID was recorded at the trigger
 * has not been replaced (no new containerID), or a container is not shown running. True otherwise ("maybe": isInplaceUpdateCompleted decides). It
 * keeps the per-pod completion key off the pod events of an update still in progress (the claim's own PUT,
 * the kubelet's pulling and creating statuses); the pool reconcile checks every pending pod regardless.
 */
export function updateMayBeDone(pod: Pod, state: InplaceUpdateState): boolean {
  const targets = state.targetImages ?? {};
  for (const c of pod.spec?.containers ?? []) {
    const target = c.name === undefined ? undefined : targets[c.name];
    if (target !== undefined && c.image !== undefined && c.image !== target) return false;
  }
  const statuses = pod.status?.containerStatuses ?? [];
  for (const [name, recorded] of Object.entries(state.lastContainerStatuses ?? {})) {
    const recordedID = recorded?.containerID ?? '';
    if (recordedID === '') continue;
    const status = statuses.find((s) => s.name === name);
    if (status === undefined) return false;
    const id = status.containerID ?? '';
    if (id === '' || id === recordedID) return false;
  }
  // Only a container shown running can be the target's (a half-written status pairs the new image with the
  // killed container).
  for (const name of Object.keys(state.lastContainerStatuses ?? {})) {
    const status = statuses.find((s) => s.name === name);
    if (status !== undefined && (status.state?.running === undefined || status.state.running === null))
      return false;
  }
  return true;
}
