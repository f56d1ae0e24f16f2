import {
  explainUpdate,
  getInplaceUpdateState,
  getSandboxPhase,
  InplaceUpdatePhaseCompleted,
  isInplaceUpdateCompleted,
  type Pod,
  PodAnnotationInPlaceUpdateStateKey,
  SandboxClaimedAtAnnotationKey,
} from '@agentbox/core';
import { firstPendingReason } from '../first-pending-reason.js';
import { forEachBounded } from '../internal/for-each-bounded.js';
import { memoPhaseDuration, memoState } from '../internal/memo-state.js';
import { patchUpdateCompleted } from '../internal/patch-update-completed.js';
import { podKeyOf } from '../internal/pod-facts.js';
import { logTransition, noteWriteError } from '../internal/pod-writes.js';
import {
  beforeWrite,
  noteDeadline,
  podRef,
  type ReconcileContext,
  replaceWorking,
} from '../internal/reconcile-context.js';
import { startupTimeoutMs, timeMs } from '../pool-timeouts.js';

/**
 * T4 (starting → running) and T7 (stopping → idle), concurrently (at most `completionConcurrency`): a pending
 * update that isInplaceUpdateCompleted says is done (with the controller's resolver, the pod's namespace and
 * pull secrets) is completed in one guarded patch (patchUpdateCompleted); the stored pod replaces the cached one for the next steps.
 * One still pending past `pendingEventAfterMs` is explained: its reasons are logged and the first goes into a
 * `Pending` Warning Event (once per update); past its startup timeout it also names the pool's Degraded
 * condition. Returns the first pending reason per pod name, for the startup-timeout step.
 */
export async function reconcileCompletions(ctx: ReconcileContext): Promise<Map<string, string>> {
  const reasons = new Map<string, string>();
  const pending = ctx.working.filter((p) => {
    const phase = getSandboxPhase(p);
    if ((phase !== 'starting' && phase !== 'stopping') || ctx.invalid.has(p.metadata?.name ?? ''))
      return false;
    const { state } = memoState(p);
    return state !== undefined && state.phase !== InplaceUpdatePhaseCompleted;
  });
  for (const name of ctx.memory.pendingReported.keys()) {
    if (!pending.some((p) => p.metadata?.name === name)) ctx.memory.pendingReported.delete(name);
  }
  const { completedFrom, refusedReported } = ctx.memory;
  if ((completedFrom?.size ?? 0) > 0 || (refusedReported?.size ?? 0) > 0) {
    const stateOf = new Map(ctx.working.map((p) => [p.metadata?.name ?? '', stateText(p)]));
    for (const [name, text] of completedFrom ?? [])
      if (stateOf.get(name) !== text) completedFrom?.delete(name);
    for (const name of refusedReported?.keys() ?? []) if (!stateOf.has(name)) refusedReported?.delete(name);
  }
  await forEachBounded(pending, ctx.options.completionConcurrency, async (pod) => {
    try {
      if (await isInplaceUpdateCompleted(pod, ctx.resolver, { signal: ctx.signal })) {
        await completeUpdate(ctx, pod);
      } else {
        await explainPending(ctx, pod, reasons);
      }
    } catch (err) {
      noteWriteError(ctx, pod, 'complete an update', err);
    }
  });
  return reasons;
}

/**
 * Writes the completion of a pod whose update isInplaceUpdateCompleted found done on the cached copy
 * (patchUpdateCompleted: one guarded JSON patch; GET + PUT by markUpdateCompleted when the pod moved on), then records the reaction, the transition metrics, the `SandboxRunning`/`SandboxIdle` Event (in
 * the background) and the transition log line. A pod whose completion is already in flight elsewhere (the
 * per-pod completion and a pool reconcile can see it at once) is left to that writer, and so is a cached copy
 * in the very state a completion was already written from.
 */
export async function completeUpdate(ctx: ReconcileContext, pod: Pod): Promise<void> {
  const name = pod.metadata?.name ?? '';
  ctx.memory.completing ??= new Set();
  ctx.memory.completedFrom ??= new Map();
  const { completing, completedFrom } = ctx.memory;
  const text = stateText(pod);
  if (completing.has(name) || completedFrom.get(name) === text) return;
  completing.add(name);
  try {
    if (await writeCompletion(ctx, pod)) completedFrom.set(name, text);
  } finally {
    completing.delete(name);
  }
}

function stateText(pod: Pod): string {
  return pod.metadata?.annotations?.[PodAnnotationInPlaceUpdateStateKey] ?? '';
}

// True when it wrote the completion.
async function writeCompletion(ctx: ReconcileContext, pod: Pod): Promise<boolean> {
  const phase = getSandboxPhase(pod);
  const state = getInplaceUpdateState(pod);
  beforeWrite(ctx);
  const stored = await patchUpdateCompleted(ctx.kube, ctx.podClient, pod, ctx.resolver, {
    clock: ctx.clock,
    signal: ctx.signal,
  });
  if (stored === undefined) return false;
  const ackMs = ctx.clock.now().getTime();
  replaceWorking(ctx, stored);
  ctx.memory.pendingReported.delete(pod.metadata?.name ?? '');
  ctx.metrics.observeReaction(podKeyOf(pod));
  const since = state?.updateTimestamp?.getTime();
  const durationMs = since === undefined ? undefined : Math.max(0, ackMs - since);
  const toRunning = getSandboxPhase(stored) === 'running';
  if (durationMs !== undefined) {
    ctx.metrics.observeTransition(
      ctx.namespace,
      ctx.name,
      toRunning ? 'starting_to_running' : 'stopping_to_idle',
      durationMs / 1000,
    );
  }
  if (toRunning) {
    const claimed = timeMs(pod.metadata?.annotations?.[SandboxClaimedAtAnnotationKey]);
    if (claimed !== undefined) {
      ctx.metrics.observeTransition(
        ctx.namespace,
        ctx.name,
        'idle_to_running',
        Math.max(0, ackMs - claimed) / 1000,
      );
    }
    ctx.recorder.event(podRef(stored), 'Normal', 'SandboxRunning', 'the workload images run');
  } else {
    ctx.recorder.event(podRef(stored), 'Normal', 'SandboxIdle', 'back to the idle images; identity cleaned');
  }
  logTransition(ctx, pod, toRunning ? 'starting_to_running' : 'stopping_to_idle', durationMs, {
    from: phase,
  });
  return true;
}

async function explainPending(ctx: ReconcileContext, pod: Pod, reasons: Map<string, string>): Promise<void> {
  const now = ctx.clock.now();
  const phase = getSandboxPhase(pod);
  const { duration } = memoPhaseDuration(pod, phase, now);
  const name = pod.metadata?.name ?? '';
  const startup = startupTimeoutMs(pod, ctx.pool, ctx.options.defaultStartupTimeoutSeconds);
  if (phase === 'starting' && startup > 0 && duration >= startup) {
    // The startup-timeout step releases it right after and needs its reason.
    reasons.set(name, await reasonOf(ctx, pod));
  }
  // How long an update may take before the pool is Degraded by it: its startup timeout, else the default.
  const bound = startup > 0 ? startup : ctx.options.defaultStartupTimeoutSeconds * 1000;
  if (duration < bound) noteDeadline(ctx, now.getTime() - duration + bound);
  if (duration < ctx.options.pendingEventAfterMs) {
    noteDeadline(ctx, now.getTime() - duration + ctx.options.pendingEventAfterMs);
    if (duration < bound) return;
  }
  const reason = reasons.get(name) ?? (await reasonOf(ctx, pod));
  reasons.set(name, reason);
  if (duration >= bound) {
    ctx.stuck.push({
      pod: name,
      phase,
      reason: 'UpdatePending',
      message: `pod ${name} ${phase} for ${Math.round(duration / 1000)}s: ${reason}`,
    });
  }
  const reported = `${stateText(pod)}\n${reason}`;
  if (ctx.memory.pendingReported.get(name) === reported) return;
  ctx.memory.pendingReported.set(name, reported);
  ctx.recorder.event(podRef(pod), 'Warning', 'Pending', reason);
  // The context's logger carries namespace and pool.
  ctx.logger.warn(
    {
      pod: name,
      sandboxId: pod.metadata?.labels?.['agentbox.navix.sh/sandbox-id'],
      phase,
      durationMs: Math.round(duration),
      reason,
    },
    `${podKeyOf(pod)}: update pending`,
  );
}

async function reasonOf(ctx: ReconcileContext, pod: Pod): Promise<string> {
  const explanation = await explainUpdate(pod, ctx.resolver, { signal: ctx.signal });
  const pendingContainers = explanation.containers.filter((c) => !c.done);
  ctx.logger.debug(
    {
      pod: pod.metadata?.name,
      reasons: pendingContainers.map((c) => ({
        container: c.container,
        reason: c.reason,
        message: c.message,
      })),
    },
    `${podKeyOf(pod)}: explained`,
  );
  return firstPendingReason(explanation) ?? 'UpdatePending: waiting for kubelet';
}
