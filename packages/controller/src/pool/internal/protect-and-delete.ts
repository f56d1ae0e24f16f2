import {
  getSandboxPhase,
  type Pod,
  SandboxScaleDownProtectedAnnotationKey,
  triggerUpdateWithOptions,
} from '@agentbox/core';
import { timeMs } from '../pool-timeouts.js';
import { deletePodWithPreconditions } from './pod-writes.js';
import { beforeWrite, noteDeadline, type ReconcileContext } from './reconcile-context.js';

/**
 * Deletes an idle or stopping pod the way T11 requires: first it is marked `scale-down-protected` (claimers
 * skip it for the protection window), in a write guarded by the phase the controller saw; then it is deleted
 * with the UID + resourceVersion of that write, so a claim that slipped in between wins (the delete fails its
 * precondition). Resolves to true when the delete was accepted. Lost races throw (the caller drops them).
 */
export async function protectAndDelete(ctx: ReconcileContext, pod: Pod): Promise<boolean> {
  const now = ctx.clock.now();
  const marked = timeMs(pod.metadata?.annotations?.[SandboxScaleDownProtectedAnnotationKey]);
  let target = pod;
  if (marked === undefined || now.getTime() - marked >= ctx.options.scaleDownProtectionMs) {
    beforeWrite(ctx);
    target = await triggerUpdateWithOptions(
      ctx.podClient,
      pod,
      {
        annotations: {
          [SandboxScaleDownProtectedAnnotationKey]: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        },
        expectedCurrentSandboxPhase: getSandboxPhase(pod),
        disableRetry: true,
      },
      { clock: ctx.clock, signal: ctx.signal },
    );
  }
  const deleted = await deletePodWithPreconditions(ctx, target);
  // When the delete lost, the mark lapses at the end of the window; look again then.
  if (!deleted) noteDeadline(ctx, now.getTime() + ctx.options.scaleDownProtectionMs);
  return deleted;
}
