import type { Clock, DigestResolver, Pod, PodClient } from '@agentbox/core';
import type { Informer } from '../../informer/informer.js';
import type { KubeClient } from '../../kube/kube-client.js';
import type { ControllerMetrics } from '../../observability/controller-metrics.js';
import type { EventObjectRef, EventRecorder } from '../../observability/event-recorder.js';
import type { Logger } from '../../observability/logger.js';
import type { PoolProblem } from '../compute-pool-status.js';
import type { Expectations } from '../create-expectations.js';
import type { ResolvedPoolReconcilerOptions } from '../pool-reconciler-options.js';
import type { SandboxPool } from '../sandbox-pool.js';

/** What the reconciler remembers about one pool between reconciles (in memory; a restart starts afresh). */
export interface PoolMemory {
  /** Pod name → the state annotation a `Pending` Event was recorded for. */
  pendingReported: Map<string, string>;
  /** Pod name → the malformed state annotation an `InvalidState` Event was recorded for. */
  invalidReported: Map<string, string>;
  /** The last creation failure (a rejected template), until a creation succeeds or the pool changes. */
  createProblem?: PoolProblem & { generation?: number };
  /** The status phase and Degraded status last written, for the pool Events. */
  lastPhase?: string;
  lastDegraded?: boolean;
  /** Pods whose completion write is in flight (the per-pod completion or a pool reconcile): never both at once. */
  completing?: Set<string>;
  /**
   * Pod name → the state annotation of the copy a completion was written from, until the cache shows the pod
   * in another state: a reconcile reading the cache before the write's watch event arrives leaves it alone
   * (its patch would fail its test and cost a GET).
   */
  completedFrom?: Map<string, string>;
  /** Pod name → the state annotation a `WriteRefused` Event was recorded for (a write kube-apiserver refused as invalid). */
  refusedReported?: Map<string, string>;
}

/** Everything the steps of one reconcile share. */
export interface ReconcileContext {
  kube: KubeClient;
  pods: Informer<Pod>;
  resolver: DigestResolver;
  recorder: EventRecorder;
  metrics: ControllerMetrics;
  logger: Logger;
  clock: Clock;
  options: ResolvedPoolReconcilerOptions;
  expectations: Expectations;
  signal: AbortSignal;
  /** core's PodClient over `kube`, carrying `signal`. */
  podClient: PodClient;
  key: string;
  namespace: string;
  name: string;
  /** The pool from the cache (undefined when gone). */
  pool: SandboxPool | undefined;
  memory: PoolMemory;
  /** The pool's pods, as the steps so far left them (cached copies, replaced by what writes returned). */
  working: Pod[];
  /** Pods with a malformed state annotation: nothing is written to them. */
  invalid: Set<string>;
  /** Failed pods this reconcile saw (T9). */
  failed: PoolProblem[];
  /** Updates pending past their startup timeout, named by their first reason. */
  stuck: (PoolProblem & { pod: string; phase: string })[];
  /** Other causes for the Degraded condition. */
  problems: PoolProblem[];
  /** First error that is not a lost race; thrown at the end so the queue backs off. */
  error?: unknown;
  /** Epoch ms at which the pool must be looked at again. */
  deadlines: number[];
  /** Creations and deletions not yet reflected in the pod snapshot the reconcile started from. */
  pendingAtSnapshot: { creates: number; deletes: number };
  /** Pods created or deleted by this reconcile (scale steps skip further changes). */
  created: number;
  deleted: number;
}

/** `namespace/name` → the object reference of an Event about a pod. */
export function podRef(pod: Pod): EventObjectRef {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid,
    resourceVersion: pod.metadata?.resourceVersion,
  };
}

/** The object reference of an Event about the pool. */
export function poolRef(ctx: ReconcileContext): EventObjectRef {
  return {
    apiVersion: ctx.pool?.apiVersion ?? 'agents.navix.sh/v1alpha1',
    kind: 'SandboxPool',
    namespace: ctx.namespace,
    name: ctx.name,
    uid: ctx.pool?.metadata?.uid,
  };
}

/** Replaces a pod of the working set by the copy a write returned (by name). */
export function replaceWorking(ctx: ReconcileContext, pod: Pod): void {
  const i = ctx.working.findIndex((p) => p.metadata?.name === pod.metadata?.name);
  if (i >= 0) ctx.working[i] = pod;
}

/** Drops a pod from the working set. */
export function dropWorking(ctx: ReconcileContext, name: string | undefined): void {
  ctx.working = ctx.working.filter((p) => p.metadata?.name !== name);
}

/** Adds a deadline (epoch ms) for the requeue. */
export function noteDeadline(ctx: ReconcileContext, at: number | undefined): void {
  if (at !== undefined && Number.isFinite(at)) ctx.deadlines.push(at);
}

/** Throws the abort reason once the replica lost its Lease or stops: no write after that. */
export function beforeWrite(ctx: ReconcileContext): void {
  ctx.signal.throwIfAborted();
}
