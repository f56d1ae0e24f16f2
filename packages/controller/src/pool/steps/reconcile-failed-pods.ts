import { isDeleting, isPodFailed } from '../internal/pod-facts.js';
import {
  deletePodWithPreconditions,
  logTransition,
  noteWriteError,
  removeProtectionFinalizer,
} from '../internal/pod-writes.js';
import { dropWorking, podRef, type ReconcileContext } from '../internal/reconcile-context.js';

/**
 * T9: a pod whose `status.phase` is Failed (evicted, or ended under restartPolicy Never) gets a `PodFailed`
 * Warning Event, loses its protection finalizer and is deleted (preconditions); T1 replaces it. It is
 * counted in this reconcile's status as failed.
 */
export async function reconcileFailedPods(ctx: ReconcileContext): Promise<void> {
  for (const pod of ctx.working.filter((p) => isPodFailed(p) && !isDeleting(p))) {
    const name = pod.metadata?.name ?? '';
    if (ctx.invalid.has(name)) continue;
    const why = [pod.status?.reason, pod.status?.message].filter(Boolean).join(': ') || 'pod failed';
    ctx.failed.push({ reason: 'PodFailed', message: `pod ${name} failed (${why})` });
    dropWorking(ctx, name);
    try {
      const unprotected = (await removeProtectionFinalizer(ctx, pod)) ?? pod;
      await deletePodWithPreconditions(ctx, unprotected);
      ctx.recorder.event(podRef(pod), 'Warning', 'PodFailed', `pod failed (${why}); deleted and replaced`);
      logTransition(ctx, pod, 'failed_deleted', undefined, { reason: pod.status?.reason });
    } catch (err) {
      noteWriteError(ctx, pod, 'delete a failed pod', err);
    }
  }
}
