import { getSandboxPhase, type PodClient, SandboxStopReasonReleased } from '@agentbox/core';
import { releasePod } from '../../sandbox/release-pod.js';
import { sandboxIdOf } from '../internal/pod-facts.js';
import { logTransition, noteWriteError } from '../internal/pod-writes.js';
import {
  beforeWrite,
  noteDeadline,
  podRef,
  type ReconcileContext,
  replaceWorking,
} from '../internal/reconcile-context.js';
import { idleDeadline, idleTimeoutMs } from '../pool-timeouts.js';

/**
 * T6 (idle timeout): a `running` pod untouched for longer than its idle timeout (annotation > pool default >
 * none) — `now − max(creation, started-at, last-active) > timeout` — is released (`Released`,
 * `IdleTimeout`). The release does not retry on a conflict: a concurrent `touch` wins and is re-decided
 * from the fresh cache.
 */
export async function reconcileIdleTimeouts(ctx: ReconcileContext): Promise<void> {
  const now = ctx.clock.now().getTime();
  for (const pod of ctx.working.filter((p) => getSandboxPhase(p) === 'running')) {
    const name = pod.metadata?.name ?? '';
    if (ctx.invalid.has(name)) continue;
    const deadline = idleDeadline(pod, ctx.pool);
    if (deadline === undefined) continue;
    if (now <= deadline) {
      noteDeadline(ctx, deadline + 1);
      continue;
    }
    try {
      beforeWrite(ctx);
      const timeout = idleTimeoutMs(pod, ctx.pool);
      // Decided again on the copy the release writes (a touch since the cache was read keeps it running).
      const guarded: PodClient = {
        async getPod(namespace, podName) {
          const fresh = await ctx.podClient.getPod(namespace, podName);
          const again = idleDeadline(fresh, ctx.pool);
          if (getSandboxPhase(fresh) === 'running' && (again === undefined || now <= again)) {
            throw new StillActive(again);
          }
          return fresh;
        },
        replacePod: (p) => ctx.podClient.replacePod(p),
      };
      const { pod: stored, released } = await releasePod(guarded, pod, ctx.pool!, {
        stopReason: SandboxStopReasonReleased,
        failureReason: 'IdleTimeout',
        failureMessage: `idle for more than ${Math.round(timeout / 1000)}s`,
        attempts: 1,
        expectedPhase: 'running',
        ...sandboxIdOf(pod),
        clock: ctx.clock,
        signal: ctx.signal,
      });
      if (!released) continue;
      replaceWorking(ctx, stored);
      ctx.metrics.incReleases(ctx.namespace, ctx.name, 'IdleTimeout');
      ctx.recorder.event(
        podRef(pod),
        'Normal',
        'IdleTimeout',
        `released after ${Math.round(timeout / 1000)}s idle`,
      );
      logTransition(ctx, pod, 'idle_timeout', now - deadline + timeout);
    } catch (err) {
      if (err instanceof StillActive) {
        noteDeadline(ctx, err.deadline === undefined ? undefined : err.deadline + 1);
        continue;
      }
      noteWriteError(ctx, pod, 'release after the idle timeout', err);
    }
  }
}

// Thrown from the release's read when the fresh pod was touched since: nothing is written.
class StillActive extends Error {
  constructor(readonly deadline: number | undefined) {
    super('the sandbox was active since the cache was read');
  }
}
