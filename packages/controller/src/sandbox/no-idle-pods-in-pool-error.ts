import { NoIdlePodsAvailableError } from '@agentbox/core';

/** The pods of a pool by sandbox phase, when a claim found none free. */
export interface PoolPodCounts {
  /** `spec.replicas` of the pool. */
  replicas: number;
  /** Pods of the pool (any phase). */
  total: number;
  idle: number;
  starting: number;
  running: number;
  stopping: number;
  failed: number;
  /** Idle pods a claim may not take: being deleted, or marked for scale-down within the protection window. */
  idleUnclaimable: number;
}

/**
 * core's NoIdlePodsAvailableError (same code, `NoIdlePodsAvailable`) naming the pool and its counts, so the
 * caller sees why: every pod busy, the pool still scaling up, or pods being deleted.
 */
export class NoIdlePodsInPoolError extends NoIdlePodsAvailableError {
  /** Namespace of the pool. */
  readonly namespace: string;
  /** Name of the pool. */
  readonly pool: string;
  /** The pool's pods by phase, counted when the claim gave up. */
  readonly counts: PoolPodCounts;
  /** How long the claim waited for an idle pod. */
  readonly waitedMs: number;

  constructor(namespace: string, pool: string, counts: PoolPodCounts, waitedMs: number) {
    super();
    this.namespace = namespace;
    this.pool = pool;
    this.counts = counts;
    this.waitedMs = waitedMs;
    const c = counts;
    const unclaimable = c.idleUnclaimable > 0 ? ` (${c.idleUnclaimable} being deleted or scaled down)` : '';
    this.message =
      `${this.message}: pool ${namespace}/${pool} has ${c.idle} idle${unclaimable} of ${c.total} pods ` +
      `(replicas ${c.replicas}: ${c.running} running, ${c.starting} starting, ${c.stopping} stopping, ${c.failed} failed)`;
  }
}
