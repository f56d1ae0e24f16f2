import { getPodPhaseSince } from './get-pod-phase-since.js';
import type { Pod } from './ports/pod.js';

/** How long a pod has been in a sandbox phase. */
export interface PodPhaseDuration {
  /** Milliseconds since the phase was entered, never negative; 0 when `ok` is false. */
  duration: number;
  /** False when the pod is not in the requested phase. */
  ok: boolean;
}

/**
 * How long the pod has been in `phase` (empty: its current phase label) at `now` (default: the current
 * time); see getPodPhaseSince. Throws InvalidStateError on a malformed state annotation.
 */
export function getPodPhaseDuration(
  pod: Pod | undefined,
  phase?: string,
  now: Date = new Date(),
): PodPhaseDuration {
  const { since, ok } = getPodPhaseSince(pod, phase);
  if (!ok) return { duration: 0, ok };
  return { duration: Math.max(0, now.getTime() - since.getTime()), ok };
}
