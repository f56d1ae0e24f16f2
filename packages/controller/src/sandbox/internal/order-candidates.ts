import { type Pod, SandboxScaleDownProtectedAnnotationKey } from '@agentbox/core';
import { parseRfc3339Ms } from './rfc3339.js';

/** Inputs of orderCandidates. */
export interface CandidateOrderOptions {
  /** Now, in ms since the epoch. */
  nowMs: number;
  /** How long a `scale-down-protected` mark keeps claimers away. */
  protectionMs: number;
  /** Source of randomness in [0, 1). */
  random: () => number;
}

/**
 * The idle pods a claim tries, in order: pods being deleted and pods marked `scale-down-protected` within
 * the protection window are left out (an unreadable mark is ignored: the claim removes it anyway); Ready pods come first; each group is shuffled so concurrent claimers spread over the
 * pool instead of all racing for the same pod.
 */
export function orderCandidates(pods: readonly Pod[], options: CandidateOrderOptions): Pod[] {
  const ready: Pod[] = [];
  const notReady: Pod[] = [];
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    if (isProtected(pod, options)) continue;
    (isPodReady(pod) ? ready : notReady).push(pod);
  }
  return [...shuffle(ready, options.random), ...shuffle(notReady, options.random)];
}

/** When the scale-down protection of a pod ends (ms since the epoch), or undefined when it has none. */
export function protectionEndMs(pod: Pod, protectionMs: number): number | undefined {
  const mark = pod.metadata?.annotations?.[SandboxScaleDownProtectedAnnotationKey];
  if (mark === undefined) return undefined;
  const at = parseRfc3339Ms(mark);
  return at === undefined ? undefined : at + protectionMs;
}

function isProtected(pod: Pod, options: CandidateOrderOptions): boolean {
  const end = protectionEndMs(pod, options.protectionMs);
  return end !== undefined && options.nowMs < end;
}

/** True when the pod's PodReady condition is True. */
export function isPodReady(pod: Pod): boolean {
  const conditions = (pod.status as { conditions?: { type?: string; status?: string }[] } | undefined)
    ?.conditions;
  return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
