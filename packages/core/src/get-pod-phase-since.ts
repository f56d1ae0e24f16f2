import {
  InplaceUpdatePhaseCompleted,
  SandboxPhaseIdle,
  SandboxPhaseLabelKey,
  SandboxPhaseRunning,
  SandboxPhaseStarting,
  SandboxPhaseStopping,
} from './constants.js';
import { labelOf } from './internal/pod-access.js';
import { toDate } from './internal/rfc3339.js';
import type { Pod } from './ports/pod.js';
import { getInplaceUpdateState } from './state/get-inplace-update-state.js';

/** When a pod entered a sandbox phase, and whether it is in that phase at all. */
export interface PodPhaseSince {
  /** When the phase was entered; the Unix epoch when unknown (no matching state and no creation time). */
  since: Date;
  /** False when the pod is not in the requested phase (then `since` is the Unix epoch). */
  ok: boolean;
}

/**
 * When the pod entered `phase` (default: its current phase label): for `starting`/`stopping` the
 * `updateTimestamp` of a state in that phase, for `running`/`idle` that of a `completed` state targeting it,
 * otherwise `metadata.creationTimestamp`. Throws InvalidStateError on a malformed state annotation.
 */
export function getPodPhaseSince(pod: Pod | undefined, phase?: string): PodPhaseSince {
  const current = labelOf(pod, SandboxPhaseLabelKey) ?? '';
  const wanted = phase === undefined || phase === '' ? current : phase;
  if (current !== wanted) return { since: new Date(0), ok: false };

  const state = getInplaceUpdateState(pod);
  const stamp = state?.updateTimestamp;
  if (state !== undefined && stamp !== undefined) {
    if ((wanted === SandboxPhaseStarting || wanted === SandboxPhaseStopping) && state.phase === wanted) {
      return { since: stamp, ok: true };
    }
    const target = state.targetPodPhase || wanted;
    if (
      (wanted === SandboxPhaseRunning || wanted === SandboxPhaseIdle) &&
      state.phase === InplaceUpdatePhaseCompleted &&
      target === wanted
    ) {
      return { since: stamp, ok: true };
    }
  }
  return { since: toDate(pod?.metadata?.creationTimestamp) ?? new Date(0), ok: true };
}
