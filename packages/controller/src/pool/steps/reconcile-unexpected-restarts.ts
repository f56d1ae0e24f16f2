import { getInplaceUpdateState, getSandboxPhase, type Pod, SandboxStopReasonFailed } from '@agentbox/core';
import { releasePod } from '../../sandbox/release-pod.js';
import { memoUnexpectedRestart } from '../internal/memo-state.js';
import { sandboxIdOf } from '../internal/pod-facts.js';
import { logTransition, noteWriteError } from '../internal/pod-writes.js';
import { beforeWrite, podRef, type ReconcileContext, replaceWorking } from '../internal/reconcile-context.js';

/** Which workload container restarted and how its last run ended. */
export interface RestartCause {
  container: string;
  /** `lastState.terminated.reason` (e.g. `OOMKilled`), else `UnexpectedRestart`. */
  reason: string;
  exitCode?: number;
}

/** The first container of the stable snapshot that now reports another containerID, with its last termination. */
export function restartCauseOf(pod: Pod): RestartCause | undefined {
  const stable = getInplaceUpdateState(pod)?.stableContainerStatuses ?? {};
  for (const status of pod.status?.containerStatuses ?? []) {
    const name = status.name ?? '';
    const recorded = Object.hasOwn(stable, name) ? stable[name]?.containerID : undefined;
    if (!recorded || status.containerID === recorded) continue;
    const terminated = status.lastState?.terminated;
    const cause: RestartCause = { container: name, reason: terminated?.reason || 'UnexpectedRestart' };
    if (typeof terminated?.exitCode === 'number') cause.exitCode = terminated.exitCode;
    return cause;
  }
  return undefined;
}

/**
 * T6 (unexpected restart): a `running` sandbox whose workload container was replaced (OOM kill, crash; a
 * sidecar outside the snapshot never counts) is released as `Failed` with the terminated reason and exit code
 * of the restarted container, and an `UnexpectedRestart` Warning Event.
 */
export async function reconcileUnexpectedRestarts(ctx: ReconcileContext): Promise<void> {
  for (const pod of ctx.working.filter((p) => getSandboxPhase(p) === 'running' && memoUnexpectedRestart(p))) {
    if (ctx.invalid.has(pod.metadata?.name ?? '')) continue;
    const cause = restartCauseOf(pod);
    if (cause === undefined) continue;
    const exit = cause.exitCode === undefined ? '' : `, exit code ${cause.exitCode}`;
    const message = `container ${cause.container} restarted (${cause.reason}${exit})`;
    try {
      beforeWrite(ctx);
      const { pod: stored, released } = await releasePod(ctx.podClient, pod, ctx.pool!, {
        stopReason: SandboxStopReasonFailed,
        failureReason: cause.reason,
        failureMessage: message,
        ...(cause.exitCode === undefined ? {} : { exitCode: cause.exitCode }),
        ...sandboxIdOf(pod),
        expectedPhase: 'running',
        clock: ctx.clock,
        signal: ctx.signal,
      });
      if (!released) continue;
      replaceWorking(ctx, stored);
      ctx.metrics.incReleases(ctx.namespace, ctx.name, cause.reason);
      ctx.recorder.event(
        podRef(pod),
        'Warning',
        'UnexpectedRestart',
        `${cause.reason}: ${message}; released`,
      );
      logTransition(ctx, pod, 'unexpected_restart', undefined, {
        reason: cause.reason,
        exitCode: cause.exitCode,
      });
    } catch (err) {
      noteWriteError(ctx, pod, 'release after an unexpected restart', err);
    }
  }
}
