/** Tunables of the pool reconciler; every field is optional (defaults in resolvePoolReconcilerOptions). */
export interface PoolReconcilerOptions {
  /** Requeue period of a pool with no earlier deadline. Default: 30000 ms. */
  resyncIntervalMs?: number;
  /** Relative jitter of the resync period (0.1 = ±10 %). Default: 0.1. */
  resyncJitter?: number;
  /** A pod stuck in `stopping` longer than this is deleted and replaced (T12). Default: 300000 ms. */
  stoppingTimeoutMs?: number;
  /** Completions (T4/T7) checked and written at once per pool. Default: 16. */
  completionConcurrency?: number;
  /** Pending creations and deletions are forgotten after this long. Default: 300000 ms. */
  expectationsTtlMs?: number;
  /** How long a pod chosen for deletion stays unclaimable (`scale-down-protected`). Default: 10000 ms. */
  scaleDownProtectionMs?: number;
  /** A pending update older than this gets a `Pending` Warning Event with its first reason. Default: 10000 ms. */
  pendingEventAfterMs?: number;
  /** Startup timeout when neither the pod nor the pool sets one. Default: 120 s. */
  defaultStartupTimeoutSeconds?: number;
  /** Pods created at once per reconcile at most (in slow-start batches 1, 2, 4, …). Default: 500. */
  maxCreatesPerReconcile?: number;
  /** Source of randomness for the resync jitter. Default: Math.random. */
  random?: () => number;
}

/** PoolReconcilerOptions with every default applied. */
export type ResolvedPoolReconcilerOptions = Required<PoolReconcilerOptions>;

/** Applies every default of PoolReconcilerOptions, in one place. */
export function resolvePoolReconcilerOptions(options?: PoolReconcilerOptions): ResolvedPoolReconcilerOptions {
  const o = options ?? {};
  return {
    resyncIntervalMs: o.resyncIntervalMs ?? 30_000,
    resyncJitter: o.resyncJitter ?? 0.1,
    stoppingTimeoutMs: o.stoppingTimeoutMs ?? 300_000,
    completionConcurrency: Math.max(1, o.completionConcurrency ?? 16),
    expectationsTtlMs: o.expectationsTtlMs ?? 300_000,
    scaleDownProtectionMs: o.scaleDownProtectionMs ?? 10_000,
    pendingEventAfterMs: o.pendingEventAfterMs ?? 10_000,
    defaultStartupTimeoutSeconds: o.defaultStartupTimeoutSeconds ?? 120,
    maxCreatesPerReconcile: Math.max(1, o.maxCreatesPerReconcile ?? 500),
    random: o.random ?? Math.random,
  };
}
