import type { V1ContainerStatus, V1PodCondition } from '@kubernetes/client-node';

/** A terminal outcome decided by the simulator (eviction, all containers exited under restartPolicy Never). */
export interface TerminalPhase {
  phase: 'Failed' | 'Succeeded';
  reason?: string;
  message?: string;
  /** Adds the `DisruptionTarget` condition kubelet sets on an eviction. */
  disruption?: boolean;
}

const OWNED = new Set([
  'PodReadyToStartContainers',
  'Initialized',
  'ContainersReady',
  'Ready',
  'DisruptionTarget',
]);

/**
 * The pod-level fields kubelet derives from its containers: `phase` (Pending until
 * every container has run once, then Running — a container waiting again after a
 * previous run keeps the pod Running, as kubelet's getPhase does) and the conditions,
 * keeping `lastTransitionTime` of conditions whose status did not change and every
 * condition the simulator does not own (PodScheduled, readiness gates).
 */
export function podFields(
  statuses: readonly V1ContainerStatus[],
  terminal: TerminalPhase | undefined,
  previous: readonly V1PodCondition[] | undefined,
  now: Date,
): { phase: string; conditions: V1PodCondition[]; reason?: string; message?: string } {
  const neverRan = statuses.some((s) => s.state?.waiting && !s.lastState?.terminated && !s.containerID);
  const phase = terminal?.phase ?? (neverRan ? 'Pending' : 'Running');
  const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
  const ready = terminal === undefined && unready.length === 0;
  const notReady = terminal
    ? { reason: 'PodCompleted' }
    : { reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` };
  const ours: V1PodCondition[] = [
    { type: 'PodReadyToStartContainers', status: terminal ? 'False' : 'True' },
    { type: 'Initialized', status: 'True' },
    ready
      ? { type: 'ContainersReady', status: 'True' }
      : { type: 'ContainersReady', status: 'False', ...notReady },
    ready ? { type: 'Ready', status: 'True' } : { type: 'Ready', status: 'False', ...notReady },
  ];
  if (terminal?.disruption) {
    ours.push({
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'TerminationByKubelet',
      message: terminal.message ?? 'evicted by the node',
    });
  }
  const before = new Map((previous ?? []).map((c) => [c.type, c]));
  const conditions = (previous ?? []).filter((c) => !OWNED.has(c.type));
  for (const c of ours) {
    const old = before.get(c.type);
    const since = old && old.status === c.status ? old.lastTransitionTime : now;
    conditions.push({ ...c, lastTransitionTime: since ?? now });
  }
  const out: { phase: string; conditions: V1PodCondition[]; reason?: string; message?: string } = {
    phase,
    conditions,
  };
  if (terminal?.reason) out.reason = terminal.reason;
  if (terminal?.message) out.message = terminal.message;
  return out;
}

/**
 * The intermediate container lists kubelet's separate status writes expose when a
 * container is replaced: first the new image, imageID and restartCount with the old
 * containerID, then the new containerID not yet ready, then the final status. Steps
 * equal to their predecessor are dropped.
 */
export function splitSteps(
  published: readonly V1ContainerStatus[] | undefined,
  target: readonly V1ContainerStatus[],
): V1ContainerStatus[][] {
  if (published === undefined) return [[...target]];
  const before = new Map(published.map((s) => [s.name, s]));
  const replaced = (s: V1ContainerStatus) => {
    const old = before.get(s.name);
    return old !== undefined && (s.containerID ?? '') !== (old.containerID ?? '');
  };
  const step1 = target.map((s) => {
    const old = before.get(s.name);
    if (!old || !replaced(s)) return s;
    return { ...old, image: s.image, imageID: s.imageID, restartCount: s.restartCount };
  });
  const step2 = target.map((s) => (replaced(s) ? { ...s, ready: false } : s));
  const steps = [step1, step2, [...target]];
  const out: V1ContainerStatus[][] = [];
  let last = JSON.stringify(published);
  for (const step of steps) {
    const key = JSON.stringify(step);
    if (key !== last) out.push(step);
    last = key;
  }
  return out;
}
