import { getSandboxPhase, type Pod } from '@agentbox/core';
import { isPodReady, oldestFirst } from './internal/pod-facts.js';

/**
 * The pods to delete when a pool has `excess` pods too many (T11): never a starting or running one; idle
 * pods first (NotReady before Ready, oldest first), then stopping ones (oldest first). `skip` names pods
 * that must not be touched (e.g. a malformed state annotation).
 */
export function chooseScaleDown(pods: readonly Pod[], excess: number, skip?: (pod: Pod) => boolean): Pod[] {
  if (excess <= 0) return [];
  const allowed = pods.filter((p) => !skip?.(p));
  const idle = allowed.filter((p) => getSandboxPhase(p) === 'idle').sort(notReadyThenOldest);
  const stopping = allowed.filter((p) => getSandboxPhase(p) === 'stopping').sort(oldestFirst);
  return [...idle, ...stopping].slice(0, excess);
}

/** NotReady pods before Ready ones, each oldest first. */
export function notReadyThenOldest(a: Pod, b: Pod): number {
  return Number(isPodReady(a)) - Number(isPodReady(b)) || oldestFirst(a, b);
}
