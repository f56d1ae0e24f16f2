import { PodAnnotationInPlaceUpdateStateKey } from '../constants.js';
import { annotationOf, podKey } from '../internal/pod-access.js';
import type { Pod } from '../ports/pod.js';
import type { InplaceUpdateState } from './inplace-update-state.js';
import { parseInplaceUpdateState } from './parse-inplace-update-state.js';

/**
 * The in-place update state of a pod, or `undefined` when the annotation is absent or empty. Throws
 * InvalidStateError naming the pod when the annotation is present but malformed.
 */
export function getInplaceUpdateState(pod: Pod | undefined): InplaceUpdateState | undefined {
  const text = annotationOf(pod, PodAnnotationInPlaceUpdateStateKey);
  if (text === undefined || text === '') return undefined;
  return parseInplaceUpdateState(text, podKey(pod));
}

/** Alias of getInplaceUpdateState, the reference implementation's other name for it. */
export const getPodInPlaceUpdateState = getInplaceUpdateState;
