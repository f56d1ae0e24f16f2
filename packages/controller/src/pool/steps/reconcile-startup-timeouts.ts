import { explainUpdate, getSandboxPhase, SandboxStopReasonReleased } from '@agentbox/core';
import { releasePod } from '../../sandbox/release-pod.js';
import { firstPendingReason } from '../first-pending-reason.js';
import { sandboxIdOf } from '../internal/pod-facts.js';
import { logTransition, noteWriteError } from '../internal/pod-writes.js';
import {
  beforeWrite,
  noteDeadline,
  podRef,
  type ReconcileContext,
  replaceWorking,
} from '../internal/reconcile-context.js';
import { startupDeadline, startupTimeoutMs } from '../pool-timeouts.js';

/**
 * T5: a `starting` pod past its startup timeout (annotation > pool default > option; 0 = none) is released
 * with stop reason `Released`, failure reason `StartupTimeout` and as failure message the first reason
 * explainUpdate gives (e.g. `ImagePullBackOff: …`), plus a `StartupTimeout` Warning Event. The others set a
 * deadline at their timeout.
 */
export async function reconcileStartupTimeouts(
  ctx: ReconcileContext,
  reasons: Map<string, string>,
): Promise<void> {
  const now = ctx.clock.now().getTime();
  for (const pod of ctx.working.filter((p) => getSandboxPhase(p) === 'starting')) {
    const name = pod.metadata?.name ?? '';
    if (ctx.invalid.has(name)) continue;
    const deadline = startupDeadline(pod, ctx.pool, ctx.options.defaultStartupTimeoutSeconds);
    if (deadline === undefined) continue;
    if (now < deadline) {
      noteDeadline(ctx, deadline);
      continue;
    }
    try {
      const reason =
        reasons.get(name) ??
        firstPendingReason(await explainUpdate(pod, ctx.resolver, { signal: ctx.signal })) ??
        'StartupTimeout: the workload did not start in time';
      beforeWrite(ctx);
      const { pod: stored, released } = await releasePod(ctx.podClient, pod, ctx.pool!, {
        stopReason: SandboxStopReasonReleased,
        failureReason: 'StartupTimeout',
        failureMessage: reason,
        ...sandboxIdOf(pod),
        expectedPhase: 'starting',
        clock: ctx.clock,
        signal: ctx.signal,
      });
      if (!released) continue;
      replaceWorking(ctx, stored);
      ctx.metrics.incReleases(ctx.namespace, ctx.name, 'StartupTimeout');
      ctx.recorder.event(
        podRef(pod),
        'Warning',
        'StartupTimeout',
        `released after its startup timeout: ${reason}`,
      );
      logTransition(
        ctx,
        pod,
        'startup_timeout',
        now - deadline + startupTimeoutMs(pod, ctx.pool, ctx.options.defaultStartupTimeoutSeconds),
        {
          reason,
        },
      );
    } catch (err) {
      noteWriteError(ctx, pod, 'release after the startup timeout', err);
    }
  }
}
