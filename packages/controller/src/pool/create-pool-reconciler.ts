import {
  type Clock,
  type DigestResolver,
  getSandboxPhase,
  InplaceUpdatePhaseCompleted,
  isInplaceUpdateCompleted,
  type Pod,
  PodAnnotationInPlaceUpdateStateKey,
} from '@agentbox/core';
import type { Informer } from '../informer/informer.js';
import { createPodClient } from '../kube/create-pod-client.js';
import type { KubeClient } from '../kube/kube-client.js';
import type { ControllerMetrics } from '../observability/controller-metrics.js';
import type { EventRecorder } from '../observability/event-recorder.js';
import type { Logger } from '../observability/logger.js';
import type { ReconcileResult } from '../queue/run-workers.js';
import { createExpectations, type Expectations } from './create-expectations.js';
import { memoState } from './internal/memo-state.js';
import { isDeleting, poolNameOf } from './internal/pod-facts.js';
import { errorText, noteWriteError } from './internal/pod-writes.js';
import {
  noteDeadline,
  type PoolMemory,
  podRef,
  type ReconcileContext,
} from './internal/reconcile-context.js';
import { updateMayBeDone } from './internal/update-may-be-done.js';
import { type PoolReconcilerOptions, resolvePoolReconcilerOptions } from './pool-reconciler-options.js';
import type { SandboxPool } from './sandbox-pool.js';
import { completeUpdate, reconcileCompletions } from './steps/reconcile-completions.js';
import { reconcileDeletingPods } from './steps/reconcile-deleting-pods.js';
import { reconcileFailedPods } from './steps/reconcile-failed-pods.js';
import { reconcileIdleTimeouts } from './steps/reconcile-idle-timeouts.js';
import { ensurePoolFinalizer, reconcilePoolDeletion } from './steps/reconcile-pool-deletion.js';
import { reconcileScale, snapshotExpectations } from './steps/reconcile-scale.js';
import { reconcileStaleIdleRoll } from './steps/reconcile-stale-idle-roll.js';
import { reconcileStartupTimeouts } from './steps/reconcile-startup-timeouts.js';
import { reconcileStatus } from './steps/reconcile-status.js';
import { reconcileStuckStopping } from './steps/reconcile-stuck-stopping.js';
import { reconcileUnexpectedRestarts } from './steps/reconcile-unexpected-restarts.js';
import { templateHashOf } from './template-hash.js';

/** What the pool reconciler works with. */
export interface PoolReconcilerDeps {
  kube: KubeClient;
  /** Pods of every pool, indexed `pool` → `namespace/poolName`. */
  pods: Informer<Pod>;
  pools: Informer<SandboxPool>;
  resolver: DigestResolver;
  recorder: EventRecorder;
  metrics: ControllerMetrics;
  logger: Logger;
  clock: Clock;
  options?: PoolReconcilerOptions;
}

/** The prefix of a per-pod completion key (`pod:namespace/name`; a namespace never holds a colon). */
export const CompletionKeyPrefix = 'pod:';

/**
 * Reconciles one SandboxPool per call (the work queue guarantees one call per key at a time). A key made by
 * `completionKeyOf` is a per-pod completion instead: only that pod's T4/T7 completion, so a burst of completions
 * in one pool is not serialised behind the pool's full reconciles.
 */
export interface PoolReconciler {
  reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult>;
  /**
   * The per-pod completion key to enqueue for a pod event: set while the pod is starting or stopping with an
   * update not yet marked completed that may be done (updateMayBeDone), else undefined. The pool key is enqueued as well (status, Events, timeouts).
   */
  completionKeyOf(pod: Pod): string | undefined;
  /** The expectations store (its pod-event subscription is made at creation). */
  readonly expectations: Expectations;
  /** Unsubscribes from the pod informer (also done when a signal given to `reconcile` aborts). */
  close(): void;
}

/**
 * Creates the reconciler of SandboxPools (controller contract §2–§5). Each reconcile reads the pool and its
 * pods from the caches and runs, each on the result of the one before: pool deletion, deleting pods (T10),
 * failed pods (T9), stuck stopping (T12), completions (T4/T7), startup timeouts (T5), idle timeouts and
 * unexpected restarts (T6), status, scale up/down (T1/T11) and the stale idle roll. It requeues at the
 * earliest deadline, else after the jittered resync interval. A pod with a malformed state annotation gets an
 * `InvalidState` Warning Event and is never written; a lost race is re-decided, never an error; other
 * failures end the reconcile in an error after every step ran, so the queue backs off.
 */
export function createPoolReconciler(deps: PoolReconcilerDeps): PoolReconciler {
  const options = resolvePoolReconcilerOptions(deps.options);
  const expectations = createExpectations({ ttlMs: options.expectationsTtlMs, clock: deps.clock });
  const memories = new Map<string, PoolMemory>();
  const unsubscribe = deps.pods.onEvent((type, pod) => {
    const pool = poolNameOf(pod);
    if (pool === undefined) return;
    const poolKey = `${pod.metadata?.namespace ?? ''}/${pool}`;
    const name = pod.metadata?.name ?? '';
    if (type === 'add') expectations.observeCreate(poolKey, name);
    if (type === 'delete' || isDeleting(pod)) expectations.observeDelete(poolKey, name);
  });

  // The manager makes a reconciler per leadership term and aborts the term's signal when it ends: the pod
  // subscription ends with the first signal seen to abort, so terms never pile up handlers.
  const watched = new WeakSet<AbortSignal>();
  async function reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult> {
    if (!watched.has(signal)) {
      watched.add(signal);
      signal.addEventListener('abort', unsubscribe, { once: true });
    }
    if (key.startsWith(CompletionKeyPrefix)) {
      await reconcilePodCompletion(key.slice(CompletionKeyPrefix.length), signal);
      return {};
    }
    const pool = deps.pools.get(key);
    const ctx = contextFor(key, pool, signal);
    const cached = deps.pods.byIndex('pool', key);

    if (pool === undefined || isDeleting({ metadata: pool.metadata })) {
      const again = await reconcilePoolDeletion(ctx, cached);
      if (again === undefined && pool === undefined) {
        memories.delete(key);
        expectations.forget(key);
      }
      if (ctx.error !== undefined) throw ctx.error;
      return again === undefined ? {} : { requeueAfterMs: again };
    }
    await ensurePoolFinalizer(ctx);
    ctx.working = cached.slice();
    ctx.pendingAtSnapshot = snapshotExpectations(ctx, cached);
    findInvalidStates(ctx);

    const deleting = await reconcileDeletingPods(ctx);
    await reconcileFailedPods(ctx);
    await reconcileStuckStopping(ctx);
    const reasons = await reconcileCompletions(ctx);
    await reconcileStartupTimeouts(ctx, reasons);
    await reconcileIdleTimeouts(ctx);
    await reconcileUnexpectedRestarts(ctx);
    await reconcileStatus(ctx);
    const hash = templateHashOf(pool);
    await reconcileScale(ctx, hash);
    await reconcileStaleIdleRoll(ctx, hash, deleting);

    if (ctx.error !== undefined) throw ctx.error;
    return { requeueAfterMs: requeueAfter(ctx) };
  }

  // The per-pod completion: the cached pod, if still pending and done by isInplaceUpdateCompleted, is completed
  // (GET + PUT through the term's fenced client and signal). Anything else (not done yet, explanations, Pending
  // Events, timeouts, status) stays with the pool reconcile, which the same pod event enqueued too. A pod of a
  // pool that is gone or being deleted is left to the pool's deletion path.
  async function reconcilePodCompletion(podKey: string, signal: AbortSignal): Promise<void> {
    const pod = deps.pods.get(podKey);
    if (pod === undefined || !isPendingUpdate(pod)) return;
    const poolName = poolNameOf(pod);
    if (poolName === undefined) return;
    const key = `${pod.metadata?.namespace ?? ''}/${poolName}`;
    const pool = deps.pools.get(key);
    if (pool === undefined || isDeleting({ metadata: pool.metadata })) return;
    const ctx = contextFor(key, pool, signal);
    try {
      if (await isInplaceUpdateCompleted(pod, ctx.resolver, { signal })) await completeUpdate(ctx, pod);
    } catch (err) {
      noteWriteError(ctx, pod, 'complete an update', err);
    }
    if (ctx.error !== undefined) throw ctx.error;
  }

  function completionKeyOf(pod: Pod): string | undefined {
    if (poolNameOf(pod) === undefined || !isPendingUpdate(pod)) return undefined;
    const { state } = memoState(pod);
    if (state === undefined || !updateMayBeDone(pod, state)) return undefined;
    return `${CompletionKeyPrefix}${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
  }

  function contextFor(key: string, pool: SandboxPool | undefined, signal: AbortSignal): ReconcileContext {
    const slash = key.indexOf('/');
    const namespace = key.slice(0, slash);
    const name = key.slice(slash + 1);
    let memory = memories.get(key);
    if (memory === undefined) {
      memory = { pendingReported: new Map(), invalidReported: new Map() };
      memories.set(key, memory);
    }
    const logger = deps.logger.child({ namespace, pool: name });
    return {
      kube: deps.kube,
      pods: deps.pods,
      resolver: deps.resolver,
      recorder: deps.recorder,
      metrics: deps.metrics,
      logger,
      clock: deps.clock,
      options,
      expectations,
      signal,
      podClient: createPodClient(deps.kube, { signal }),
      key,
      namespace,
      name,
      pool,
      memory,
      working: [],
      invalid: new Set(),
      failed: [],
      stuck: [],
      problems: [],
      deadlines: [],
      pendingAtSnapshot: { creates: 0, deletes: 0 },
      created: 0,
      deleted: 0,
    };
  }

  function requeueAfter(ctx: ReconcileContext): number {
    const now = deps.clock.now().getTime();
    const { resyncIntervalMs, resyncJitter, random } = options;
    const resync = Math.round(resyncIntervalMs * (1 + (random() * 2 - 1) * resyncJitter));
    const earliest = ctx.deadlines.length > 0 ? Math.min(...ctx.deadlines) : Number.POSITIVE_INFINITY;
    return Math.max(0, Math.min(resync, earliest - now));
  }

  return { reconcile, completionKeyOf, expectations, close: unsubscribe };
}

// Starting or stopping with a well-formed update state not yet marked completed, and not being deleted.
function isPendingUpdate(pod: Pod): boolean {
  const phase = getSandboxPhase(pod);
  if ((phase !== 'starting' && phase !== 'stopping') || isDeleting(pod)) return false;
  const { state, error } = memoState(pod);
  return error === undefined && state !== undefined && state.phase !== InplaceUpdatePhaseCompleted;
}

// A malformed state annotation is reported once per value and the pod is left alone by every step.
function findInvalidStates(ctx: ReconcileContext): void {
  const seen = new Set<string>();
  for (const pod of ctx.working) {
    const name = pod.metadata?.name ?? '';
    const { error } = memoState(pod);
    if (error === undefined) continue;
    ctx.invalid.add(name);
    seen.add(name);
    const text = pod.metadata?.annotations?.[PodAnnotationInPlaceUpdateStateKey] ?? '';
    if (ctx.memory.invalidReported.get(name) === text) continue;
    const message = `malformed ${PodAnnotationInPlaceUpdateStateKey} annotation; the pod is left untouched: ${errorText(error)}`;
    // Remembered only once recorded: a burst beyond the recorder's bound is reported by a later reconcile.
    if (!ctx.recorder.event(podRef(pod), 'Warning', 'InvalidState', message.slice(0, 1000))) {
      noteDeadline(ctx, ctx.clock.now().getTime() + 1_000);
      continue;
    }
    ctx.memory.invalidReported.set(name, text);
    ctx.logger.warn({ pod: name, err: errorText(error) }, 'invalid state annotation');
  }
  for (const name of ctx.memory.invalidReported.keys())
    if (!seen.has(name)) ctx.memory.invalidReported.delete(name);
}
