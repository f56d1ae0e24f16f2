import type { Pod } from '@agentbox/core';
import { isKubeStatus, KubeApiError } from '../../kube/kube-api-error.js';
import { podsPath } from '../../kube/kube-paths.js';
import { buildPoolPod } from '../build-pool-pod.js';
import { chooseScaleDown } from '../choose-scale-down.js';
import { isDeleting } from '../internal/pod-facts.js';
import { errorText, logTransition, noteWriteError } from '../internal/pod-writes.js';
import { protectAndDelete } from '../internal/protect-and-delete.js';
import { beforeWrite, poolRef, type ReconcileContext } from '../internal/reconcile-context.js';
import type { TemplateHash } from '../template-hash.js';

/**
 * Pending creations and deletions as of the pod snapshot the reconcile works on: a creation counts as seen
 * when the snapshot holds the pod, a deletion when the snapshot no longer holds it or shows it deleting.
 * Judging them against the live cache instead would count pods that the snapshot (and so the replica count)
 * does not have yet, and create them a second time.
 */
export function snapshotExpectations(
  ctx: ReconcileContext,
  snapshot: readonly Pod[],
): { creates: number; deletes: number } {
  const present = new Map(snapshot.map((p) => [p.metadata?.name ?? '', p]));
  return ctx.expectations.pending(
    ctx.key,
    (name) => present.has(name),
    (name) => {
      const pod = present.get(name);
      return pod === undefined || isDeleting(pod);
    },
  );
}

/** True when the snapshot reflects every creation and deletion this controller sent (or they expired). */
export function expectationsSatisfied(ctx: ReconcileContext): boolean {
  return ctx.pendingAtSnapshot.creates === 0 && ctx.pendingAtSnapshot.deletes === 0;
}

/**
 * T1 / T11: with every expectation met, creates the missing pods from the template (slow start: batches of
 * 1, 2, 4, … stopping at the first failure; a template the API server rejects is reported, not retried in a
 * loop) or deletes the excess (never starting or running: idle NotReady first, oldest first, then stopping),
 * each protected first and deleted with preconditions.
 */
export async function reconcileScale(ctx: ReconcileContext, hash: TemplateHash): Promise<void> {
  if (!expectationsSatisfied(ctx)) return;
  const replicas = Math.max(0, ctx.pool?.spec?.replicas ?? 0);
  const active = ctx.working.length;
  if (active < replicas)
    await scaleUp(ctx, hash, Math.min(replicas - active, ctx.options.maxCreatesPerReconcile));
  else if (active > replicas) await scaleDown(ctx, active - replicas);
}

async function scaleUp(ctx: ReconcileContext, hash: TemplateHash, missing: number): Promise<void> {
  const pool = ctx.pool!;
  const built = buildPoolPod(pool, hash);
  if (built.problem !== undefined) {
    reportCreateProblem(ctx, built.problem.reason, built.problem.message);
    return;
  }
  ctx.recorder.event(
    poolRef(ctx),
    'Normal',
    'ScalingUp',
    `creating ${missing} pods (${ctx.working.length} of ${pool.spec?.replicas ?? 0} exist)`,
  );
  let remaining = missing;
  let batch = 1;
  while (remaining > 0) {
    const size = Math.min(batch, remaining);
    const results = await Promise.allSettled(Array.from({ length: size }, () => createOne(ctx, built.pod)));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined) {
      const err = failure.reason;
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (
        err instanceof KubeApiError &&
        (isKubeStatus(err, 400) || isKubeStatus(err, 422) || isKubeStatus(err, 403))
      ) {
        reportCreateProblem(
          ctx,
          'FailedCreate',
          `pool ${ctx.name}: the API server rejected a pod: ${err.message}`,
        );
      } else {
        noteWriteError(ctx, undefined, 'create a pod', err);
      }
      return;
    }
    ctx.memory.createProblem = undefined;
    remaining -= size;
    batch *= 2;
  }
}

async function createOne(ctx: ReconcileContext, template: Pod): Promise<void> {
  beforeWrite(ctx);
  const created = await ctx.kube.request<Pod>({
    method: 'POST',
    path: podsPath(ctx.namespace),
    body: template,
    signal: ctx.signal,
  });
  const name = created.metadata?.name ?? '';
  ctx.expectations.expectCreate(ctx.key, name);
  ctx.created++;
  logTransition(ctx, created, 'created_idle', undefined);
}

function reportCreateProblem(ctx: ReconcileContext, reason: string, message: string): void {
  const generation = ctx.pool?.metadata?.generation;
  const before = ctx.memory.createProblem;
  ctx.memory.createProblem = { reason, message, generation };
  if (before?.message === message && before.generation === generation) return;
  ctx.recorder.event(poolRef(ctx), 'Warning', 'FailedCreate', message);
  ctx.logger.warn({ reason, message: errorText(message) }, 'cannot create pods');
}

async function scaleDown(ctx: ReconcileContext, excess: number): Promise<void> {
  const chosen = chooseScaleDown(ctx.working, excess, (p) => ctx.invalid.has(p.metadata?.name ?? ''));
  if (chosen.length === 0) return;
  ctx.recorder.event(
    poolRef(ctx),
    'Normal',
    'ScalingDown',
    `deleting ${chosen.length} pods (${ctx.working.length} for ${ctx.pool?.spec?.replicas ?? 0} replicas)`,
  );
  for (const pod of chosen) {
    try {
      if (await protectAndDelete(ctx, pod)) logTransition(ctx, pod, 'scaled_down', undefined);
    } catch (err) {
      noteWriteError(ctx, pod, 'delete an excess pod', err);
    }
  }
}
