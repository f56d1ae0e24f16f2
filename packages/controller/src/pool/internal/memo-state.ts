import {
  getInplaceUpdateState,
  hasUnexpectedRestart,
  type InplaceUpdateState,
  type Pod,
} from '@agentbox/core';

// Cached pods are immutable and replaced on every change, so what is derived from one object stays true for
// it: each reconcile of a large pool would otherwise parse every pod's state annotation again.

type Parsed =
  | { state: InplaceUpdateState | undefined; error?: undefined }
  | { state?: undefined; error: unknown };

const parsed = new WeakMap<Pod, Parsed>();
const restarted = new WeakMap<Pod, boolean>();

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
