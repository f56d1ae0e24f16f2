import { type Pod, SandboxPoolFinalizer } from '@agentbox/core';
import { isNotFoundError } from '../../kube/kube-api-error.js';
import { poolsPath } from '../../kube/kube-paths.js';
import { isDeleting } from '../internal/pod-facts.js';
import {
  deletePodWithPreconditions,
  logTransition,
  noteWriteError,
  removeProtectionFinalizer,
} from '../internal/pod-writes.js';
import { beforeWrite, type ReconcileContext } from '../internal/reconcile-context.js';
import { writePoolStatus } from './reconcile-status.js';

/** How long to wait before looking again at a deleted pool whose pods are still going. */
const pollWhileDeletingMs = 1000;

/**
 * Step 1 for a pool that is gone or being deleted: status `Terminating`, every pod's protection finalizer
 * removed and the pod deleted (UID + resourceVersion preconditions), whatever its phase (a malformed state
 * annotation included: the pool is going); once the cache shows no pod left, the pool finalizer is removed.
 * Resolves to the requeue delay while pods remain.
 */
export async function reconcilePoolDeletion(
  ctx: ReconcileContext,
  pods: readonly Pod[],
): Promise<number | undefined> {
  const pool = ctx.pool;
  if (pool !== undefined && pool.status?.phase !== 'Terminating') {
    await writePoolStatus(ctx, { ...(pool.status ?? {}), phase: 'Terminating' });
  }
  for (const pod of pods) {
    try {
      const unprotected = (await removeProtectionFinalizer(ctx, pod)) ?? pod;
      if (!isDeleting(unprotected)) await deletePodWithPreconditions(ctx, unprotected);
      logTransition(ctx, pod, 'pool_deleted_pod_removed', undefined);
    } catch (err) {
      noteWriteError(ctx, pod, 'delete pod of a deleted pool', err);
    }
  }
  if (pods.length > 0) return pollWhileDeletingMs;
  if (pool === undefined) {
    ctx.metrics.deletePool(ctx.namespace, ctx.name);
    return undefined;
  }
  const finalizers = pool.metadata?.finalizers ?? [];
  if (finalizers.includes(SandboxPoolFinalizer)) {
    beforeWrite(ctx);
    try {
      await ctx.kube.request({
        method: 'PATCH',
        path: poolsPath(ctx.namespace, ctx.name),
        body: {
          metadata: {
            finalizers: finalizers.filter((f) => f !== SandboxPoolFinalizer),
            resourceVersion: pool.metadata?.resourceVersion,
          },
        },
        signal: ctx.signal,
      });
      ctx.logger.info({}, 'pool finalizer removed; the pool goes');
    } catch (err) {
      if (!isNotFoundError(err)) noteWriteError(ctx, undefined, 'remove the pool finalizer', err);
    }
  }
  ctx.metrics.deletePool(ctx.namespace, ctx.name);
  return undefined;
}

/** Adds the pool finalizer when it is missing (guarded by the cached resourceVersion). */
export async function ensurePoolFinalizer(ctx: ReconcileContext): Promise<void> {
  const pool = ctx.pool;
  const finalizers = pool?.metadata?.finalizers ?? [];
  if (pool === undefined || finalizers.includes(SandboxPoolFinalizer)) return;
  beforeWrite(ctx);
  try {
    await ctx.kube.request({
      method: 'PATCH',
      path: poolsPath(ctx.namespace, ctx.name),
      body: {
        metadata: {
          finalizers: [...finalizers, SandboxPoolFinalizer],
          resourceVersion: pool.metadata?.resourceVersion,
        },
      },
      signal: ctx.signal,
    });
  } catch (err) {
    noteWriteError(ctx, undefined, 'add the pool finalizer', err);
  }
}
