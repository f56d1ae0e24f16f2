import {
  hasErrorCode,
  isConflictError,
  type Pod,
  PodAnnotationInPlaceUpdateStateKey,
  SandboxProtectionFinalizer,
} from '@agentbox/core';
import { isKubeStatus, isNotFoundError } from '../../kube/kube-api-error.js';
import { podsPath } from '../../kube/kube-paths.js';
import { podKeyOf } from './pod-facts.js';
import { beforeWrite, podRef, type ReconcileContext } from './reconcile-context.js';

/** A lost race: someone else wrote the pod first (409), it is gone (404), or its phase moved on. */
export function isLostRace(err: unknown): boolean {
  return isConflictError(err) || isNotFoundError(err) || hasErrorCode(err, 'UnexpectedPodPhase');
}

/**
 * Handles the failure of one pod's write without stopping the reconcile: a lost race is dropped (the
 * informer's event brings the pool back), an abort is re-thrown, a write refused as invalid (422) is reported
 * in a `WriteRefused` Warning Event once per state, anything else is logged and kept so the reconcile ends in
 * an error (the queue then backs off).
 */
export function noteWriteError(
  ctx: ReconcileContext,
  pod: Pod | undefined,
  action: string,
  err: unknown,
): void {
  if (ctx.signal.aborted) throw ctx.signal.reason;
  if (isLostRace(err)) {
    ctx.logger.debug(
      { pod: pod?.metadata?.name, action, err: String(err) },
      'lost a race; re-deciding later',
    );
    return;
  }
  if (pod !== undefined && isKubeStatus(err, 422)) {
    // kube-apiserver refused the write itself as invalid (e.g. a state whose target phase is no label value):
    // retrying it cannot help, and failing the reconcile would back off every other pod of the pool. The pod
    // is reported once per state and left as it is; its timeouts still apply.
    const name = pod.metadata?.name ?? '';
    const state = pod.metadata?.annotations?.[PodAnnotationInPlaceUpdateStateKey] ?? '';
    ctx.memory.refusedReported ??= new Map();
    if (ctx.memory.refusedReported.get(name) === state) return;
    const message = `kube-apiserver refused to ${action}: ${errorText(err)}`.slice(0, 1000);
    if (!ctx.recorder.event(podRef(pod), 'Warning', 'WriteRefused', message)) return;
    ctx.memory.refusedReported.set(name, state);
    ctx.logger.warn({ pod: name, action, err: errorText(err) }, `${action} refused as invalid`);
    return;
  }
  ctx.logger.warn({ pod: pod?.metadata?.name, action, err: errorText(err) }, `${action} failed`);
  ctx.error ??= err;
}

/** One line for an error, never its cause chain (which could carry request details). */
export function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Removes the protection finalizer with a merge patch guarded by the cached resourceVersion, re-reading on a
 * conflict (3 tries). Resolves to the stored pod, or `undefined` when the pod is gone or had no finalizer.
 */
export async function removeProtectionFinalizer(ctx: ReconcileContext, pod: Pod): Promise<Pod | undefined> {
  let current: Pod = pod;
  for (let attempt = 0; ; attempt++) {
    const finalizers = current.metadata?.finalizers ?? [];
    if (!finalizers.includes(SandboxProtectionFinalizer)) return undefined;
    beforeWrite(ctx);
    try {
      return await ctx.kube.request<Pod>({
        method: 'PATCH',
        path: podsPath(current.metadata?.namespace, current.metadata?.name),
        body: {
          metadata: {
            finalizers: finalizers.filter((f) => f !== SandboxProtectionFinalizer),
            resourceVersion: current.metadata?.resourceVersion,
          },
        },
        signal: ctx.signal,
      });
    } catch (err) {
      if (isNotFoundError(err)) return undefined;
      if (!isConflictError(err) || attempt >= 2) throw err;
      current = await ctx.kube.request<Pod>({
        path: podsPath(current.metadata?.namespace, current.metadata?.name),
        signal: ctx.signal,
      });
    }
  }
}

/**
 * Deletes a pod with UID + resourceVersion preconditions, so a pod claimed (or otherwise written) since the
 * decision is never deleted: true when the delete was accepted, false when the pod is gone or changed.
 * Records the deletion as an expectation of the pool.
 */
export async function deletePodWithPreconditions(ctx: ReconcileContext, pod: Pod): Promise<boolean> {
  beforeWrite(ctx);
  try {
    await ctx.kube.request({
      method: 'DELETE',
      path: podsPath(pod.metadata?.namespace, pod.metadata?.name),
      body: {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        preconditions: { uid: pod.metadata?.uid, resourceVersion: pod.metadata?.resourceVersion },
      },
      signal: ctx.signal,
    });
  } catch (err) {
    if (isNotFoundError(err) || isConflictError(err)) return false;
    throw err;
  }
  ctx.expectations.expectDelete(ctx.key, pod.metadata?.name ?? '');
  ctx.deleted++;
  return true;
}

/** Logs one transition line with the fields the contract names. */
export function logTransition(
  ctx: ReconcileContext,
  pod: Pod,
  transition: string,
  durationMs: number | undefined,
  extra: Record<string, unknown> = {},
): void {
  ctx.logger.info(
    {
      pod: pod.metadata?.name,
      sandboxId: pod.metadata?.labels?.['agentbox.navix.sh/sandbox-id'],
      transition,
      durationMs: durationMs === undefined ? undefined : Math.round(durationMs),
      ...extra,
    },
    `${podKeyOf(pod)}: ${transition}`,
  );
}
