import { evaluateUpdate } from './internal/evaluate-update.js';
import type { CoreDeps } from './ports/core-deps.js';
import type { DigestResolver } from './ports/digest-resolver.js';
import type { Pod } from './ports/pod.js';
import type { UpdateExplanation } from './update-explanation.js';

/**
 * Explains, per container, what a pending in-place update awaits (SPEC 2.6): spec not at target, no
 * status, waiting reason, running vs target digest, resolver error, containerID unchanged. `completed`
 * agrees with isInplaceUpdateCompleted. Throws InvalidStateError on a malformed state annotation.
 */
export async function explainUpdate(
  pod: Pod,
  resolver: DigestResolver,
  deps?: CoreDeps,
): Promise<UpdateExplanation> {
  return evaluateUpdate(pod, resolver, deps?.signal, false);
}
