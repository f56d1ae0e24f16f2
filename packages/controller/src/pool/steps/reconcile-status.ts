import { getSandboxPhase } from '@agentbox/core';
import { poolsPath } from '../../kube/kube-paths.js';
import { computePoolStatus, countByPhase, poolStatusChanged } from '../compute-pool-status.js';
import { errorText } from '../internal/pod-writes.js';
import { beforeWrite, poolRef, type ReconcileContext } from '../internal/reconcile-context.js';
import type { SandboxPoolStatus } from '../sandbox-pool.js';

/**
 * The status step (controller contract §4): computes the pool's status from the working set and this
 * reconcile's findings, writes it to the status subresource only when it changed, feeds the pool gauges and
 * records the pool Events `PoolReady`, `Degraded` (Warning) and `PoolRecovered` on the transitions.
 */
export async function reconcileStatus(ctx: ReconcileContext): Promise<SandboxPoolStatus> {
  const pool = ctx.pool!;
  const problems = [...ctx.problems];
  const created = ctx.memory.createProblem;
  if (created !== undefined) {
    if (created.generation === pool.metadata?.generation) problems.push(created);
    else ctx.memory.createProblem = undefined;
  }
  const status = computePoolStatus({
    pool,
    pods: ctx.working,
    failed: ctx.failed,
    // A pod the later steps moved on (a startup timeout released it) is no longer stuck.
    stuck: ctx.stuck.filter((s) => {
      const pod = ctx.working.find((p) => p.metadata?.name === s.pod);
      return pod !== undefined && getSandboxPhase(pod) === s.phase;
    }),
    problems,
    terminating: false,
    now: ctx.clock.now(),
  });
  const counts = countByPhase(ctx.working);
  counts.failed += ctx.failed.length;
  ctx.metrics.setPoolCounts(ctx.namespace, ctx.name, counts, Math.max(0, pool.spec?.replicas ?? 0));
  if (poolStatusChanged(pool.status, status)) await writePoolStatus(ctx, status);
  noteTransitions(ctx, status);
  return status;
}

/** Writes the whole status with a merge patch of the status subresource (conditions are replaced as a list). */
export async function writePoolStatus(ctx: ReconcileContext, status: SandboxPoolStatus): Promise<void> {
  beforeWrite(ctx);
  try {
    await ctx.kube.request({
      method: 'PATCH',
      path: poolsPath(ctx.namespace, ctx.name, 'status'),
      body: { status },
      signal: ctx.signal,
    });
  } catch (err) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    ctx.logger.warn({ err: errorText(err) }, 'status write failed');
    ctx.error ??= err;
  }
}

function noteTransitions(ctx: ReconcileContext, status: SandboxPoolStatus): void {
  const degraded = status.conditions?.find((c) => c.type === 'Degraded');
  const isDegraded = degraded?.status === 'True';
  const before = ctx.pool?.status;
  const wasPhase = ctx.memory.lastPhase ?? before?.phase;
  const wasDegraded =
    ctx.memory.lastDegraded ??
    before?.conditions?.some((c) => c.type === 'Degraded' && c.status === 'True') ??
    false;
  if (status.phase === 'Ready' && wasPhase !== 'Ready') {
    ctx.recorder.event(poolRef(ctx), 'Normal', 'PoolReady', `${status.idleReplicas} idle sandboxes`);
  }
  if (isDegraded && !wasDegraded) {
    ctx.recorder.event(poolRef(ctx), 'Warning', 'Degraded', `${degraded?.reason}: ${degraded?.message}`);
    ctx.logger.warn({ reason: degraded?.reason, message: degraded?.message }, 'pool degraded');
  } else if (!isDegraded && wasDegraded) {
    ctx.recorder.event(poolRef(ctx), 'Normal', 'PoolRecovered', 'no failed or stuck sandbox');
  }
  ctx.memory.lastPhase = status.phase;
  ctx.memory.lastDegraded = isDegraded;
}
