import { getPodPhaseDuration } from '@agentbox/core';
import { isDeleting } from '../internal/pod-facts.js';
import { logTransition, noteWriteError, removeProtectionFinalizer } from '../internal/pod-writes.js';
import { dropWorking, type ReconcileContext } from '../internal/reconcile-context.js';

/**
 * T10: a pod with a deletion timestamp has its protection finalizer removed once its end is recorded (a log
 * line with its phase and time in it), and leaves the working set. Returns how many pods were deleting.
 */
export async function reconcileDeletingPods(ctx: ReconcileContext): Promise<number> {
  const deleting = ctx.working.filter(isDeleting);
  for (const pod of deleting) {
    dropWorking(ctx, pod.metadata?.name);
    if (ctx.invalid.has(pod.metadata?.name ?? '')) continue;
    try {
      if ((await removeProtectionFinalizer(ctx, pod)) !== undefined) {
        let durationMs: number | undefined;
        try {
          durationMs = getPodPhaseDuration(pod, undefined, ctx.clock.now()).duration;
        } catch {
          durationMs = undefined;
        }
        logTransition(ctx, pod, 'deleted', durationMs, {
          phase: pod.metadata?.labels?.['agentbox.navix.sh/sandbox-phase'],
        });
      }
    } catch (err) {
      noteWriteError(ctx, pod, 'remove the protection finalizer', err);
    }
  }
  return deleting.length;
}
