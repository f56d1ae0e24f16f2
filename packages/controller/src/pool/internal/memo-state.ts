import {
  getInplaceUpdateState,
  getPodPhaseSince,
  hasUnexpectedRestart,
  type InplaceUpdateState,
  type Pod,
  type PodPhaseSince,
} from '@agentbox/core';

// Cached pods are immutable and replaced on every change, so what is derived from one object stays true for
// it: each reconcile of a large pool would otherwise parse every pod's state annotation again.

type Parsed =
  | { state: InplaceUpdateState | undefined; error?: undefined }
  | { state?: undefined; error: unknown };

const parsed = new WeakMap<Pod, Parsed>();
const restarted = new WeakMap<Pod, boolean>();
const phaseSince = new WeakMap<Pod, Map<string, PodPhaseSince>>();

/** The pod's state, or the InvalidStateError its annotation gives, parsed once per pod object. */
export function memoState(pod: Pod): Parsed {
  let p = parsed.get(pod);
  if (p === undefined) {
    try {
      p = { state: getInplaceUpdateState(pod) };
    } catch (error) {
      p = { error };
    }
    parsed.set(pod, p);
  }
  return p;
}

/** hasUnexpectedRestart, computed once per pod object. */
export function memoUnexpectedRestart(pod: Pod): boolean {
  let r = restarted.get(pod);
  if (r === undefined) {
    r = hasUnexpectedRestart(pod);
    restarted.set(pod, r);
  }
  return r;
}

/**
 * getPodPhaseSince, computed once per pod object and phase (it parses the state annotation; the startup
 * timeout step asks it of every starting pod on every reconcile). A malformed annotation throws every time.
 */
export function memoPhaseSince(pod: Pod, phase?: string): PodPhaseSince {
  let byPhase = phaseSince.get(pod);
  if (byPhase === undefined) {
    byPhase = new Map();
    phaseSince.set(pod, byPhase);
  }
  const key = phase ?? '';
  let r = byPhase.get(key);
  if (r === undefined) {
    r = getPodPhaseSince(pod, phase);
    byPhase.set(key, r);
  }
  return r;
}

/** getPodPhaseDuration over memoPhaseSince. */
export function memoPhaseDuration(
  pod: Pod,
  phase: string | undefined,
  now: Date,
): { duration: number; ok: boolean } {
  const { since, ok } = memoPhaseSince(pod, phase);
  if (!ok) return { duration: 0, ok };
  return { duration: Math.max(0, now.getTime() - since.getTime()), ok };
}
