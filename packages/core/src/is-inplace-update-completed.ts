import { evaluateUpdate } from './internal/evaluate-update.js';
import type { CoreDeps } from './ports/core-deps.js';
import type { DigestResolver } from './ports/digest-resolver.js';
import type { Pod } from './ports/pod.js';

/**
 * True when the pod has no pending in-place update (SPEC 2.2): no state or a completed one, or every
 * container recorded at trigger time still has its target spec image, a replaced containerID and a running
 * digest equal to the target's (or the same config digest). A resolver error answers false. Throws
 * InvalidStateError on a malformed state annotation.
 */
export async function isInplaceUpdateCompleted(
  pod: Pod,
  resolver: DigestResolver,
  deps?: CoreDeps,
): Promise<boolean> {
  return (await evaluateUpdate(pod, resolver, deps?.signal, true)).completed;
}
