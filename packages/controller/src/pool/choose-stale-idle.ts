import { getSandboxPhase, type Pod } from '@agentbox/core';
import { notReadyThenOldest } from './choose-scale-down.js';
import { isPodReady } from './internal/pod-facts.js';
import { TemplateHashLabelKey } from './template-hash-label.js';

/** What the stale idle roll decides for one reconcile (controller contract §5). */
export interface StaleIdlePlan {
  /** Idle pods carrying another template hash, NotReady first, oldest first, at most `budget` of them. */
  replace: Pod[];
  /** Pods of the current hash that are not available yet (switching in place or not Ready). */
  unavailable: number;
  /** How many more may be taken away now. */
  budget: number;
}

/**
 * Plans the stale idle roll: idle pods whose template-hash label differs from `hash` are replaced, at most
 * `maxUnavailable` at a time counting the ones already unavailable (`inFlight`: deleting pods and pending
 * creations; plus pods with the current hash still switching or not Ready). Running sandboxes are never
 * chosen; they come back to idle with the old hash and are rolled then.
 */
export function chooseStaleIdle(
  pods: readonly Pod[],
  hash: string,
  maxUnavailable: number,
  inFlight: number,
  skip?: (pod: Pod) => boolean,
): StaleIdlePlan {
  const label = (p: Pod) => p.metadata?.labels?.[TemplateHashLabelKey];
  const stale = pods
    .filter((p) => !skip?.(p) && getSandboxPhase(p) === 'idle' && label(p) !== hash)
    .sort(notReadyThenOldest);
  const unavailable = pods.filter((p) => {
    if (label(p) !== hash) return false;
    const phase = getSandboxPhase(p);
    return phase === 'stopping' || (phase === 'idle' && !isPodReady(p));
  }).length;
  const budget = Math.max(0, maxUnavailable - inFlight - unavailable);
  return { replace: stale.slice(0, budget), unavailable, budget };
}
