import { getPodPhaseDuration, getSandboxPhase } from '@agentbox/core';
import {
  deletePodWithPreconditions,
  logTransition,
  noteWriteError,
  removeProtectionFinalizer,
} from '../internal/pod-writes.js';
import { dropWorking, noteDeadline, podRef, type ReconcileContext } from '../internal/reconcile-context.js';

/**
 * T12: a pod in `stopping` for longer than `stoppingTimeoutMs` (its idle image never came up) is deleted and
 * replaced by T1; the others set a deadline at their bound.
 */
export async function reconcileStuckStopping(ctx: ReconcileContext): Promise<void> {
  const now = ctx.clock.now();
  for (const pod of ctx.working.filter((p) => getSandboxPhase(p) === 'stopping')) {
    const name = pod.metadata?.name ?? '';
    if (ctx.invalid.has(name)) continue;
    const { duration, ok } = getPodPhaseDuration(pod, 'stopping', now);
    if (!ok) continue;
    if (duration <= ctx.options.stoppingTimeoutMs) {
      noteDeadline(ctx, now.getTime() - duration + ctx.options.stoppingTimeoutMs + 1);
      continue;
    }
    dropWorking(ctx, name);
    try {
      const unprotected = (await removeProtectionFinalizer(ctx, pod)) ?? pod;
      await deletePodWithPreconditions(ctx, unprotected);
      const seconds = Math.round(duration / 1000);
      ctx.recorder.event(
        podRef(pod),
        'Warning',
        'StuckStopping',
        `stopping for ${seconds}s; deleted and replaced`,
      );
      logTransition(ctx, pod, 'stuck_stopping_deleted', duration);
    } catch (err) {
      noteWriteError(ctx, pod, 'delete a pod stuck in stopping', err);
    }
  }
}
