import type { CacheEvent } from '@agentbox/resolver-cache';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ControllerMetrics, MeasuredTransition } from './controller-metrics.js';

/** Options of createControllerMetrics. */
export interface ControllerMetricsOptions {
  /** Also register Node's default process metrics (`process_*`, `nodejs_*`). Default: true. */
  defaultMetrics?: boolean;
  /** Most pods whose last event time is remembered for `agentbox_reaction_seconds`. Default: 100000. */
  maxTrackedPods?: number;
  /** Monotonic milliseconds (test seam). Default: `performance.now`. */
  nowMs?: () => number;
}

/** The controller's metrics, plus the registry they live in and a listener for the resolver cache's events. */
export interface PrometheusControllerMetrics extends ControllerMetrics {
  readonly registry: Registry;
  /** Feed for `withCache(…, { onEvent })`: hits and misses of the resolver cache. */
  onResolverCacheEvent(event: CacheEvent): void;
}

// Transitions take from a few milliseconds (image already on the node) to minutes (a large pull).
const TRANSITION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
// The reaction is watch delivery + GET + PUT: milliseconds when healthy.
const REACTION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const RECONCILE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The controller's Prometheus metrics on prom-client (names in the controller's contract; no per-pod labels),
 * in `registry` (default: a fresh one, so two controllers in one process do not collide).
 */
export function createControllerMetrics(
  registry: Registry = new Registry(),
  options: ControllerMetricsOptions = {},
): PrometheusControllerMetrics {
  const nowMs = options.nowMs ?? (() => performance.now());
  const maxTrackedPods = options.maxTrackedPods ?? 100_000;
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const poolSandboxes = new Gauge({
    name: 'agentbox_pool_sandboxes',
    help: 'Pods of a pool by sandbox phase.',
    labelNames: ['namespace', 'pool', 'phase'] as const,
    registers,
  });
  const poolDesired = new Gauge({
    name: 'agentbox_pool_replicas_desired',
    help: 'spec.replicas of a pool.',
    labelNames: ['namespace', 'pool'] as const,
    registers,
  });
  const transitionDuration = new Histogram({
    name: 'agentbox_transition_duration_seconds',
    help: "From the state's updateTimestamp to the controller's completing write.",
    labelNames: ['namespace', 'pool', 'transition'] as const,
    buckets: TRANSITION_BUCKETS,
    registers,
  });
  const reaction = new Histogram({
    name: 'agentbox_reaction_seconds',
    help: 'From a pod watch event received to the completing write acknowledged.',
    buckets: REACTION_BUCKETS,
    registers,
  });
  const reconcileTotal = new Counter({
    name: 'agentbox_reconcile_total',
    help: 'Reconciles of a pool by result.',
    labelNames: ['result'] as const,
    registers,
  });
  const reconcileDuration = new Histogram({
    name: 'agentbox_reconcile_duration_seconds',
    help: 'Duration of one reconcile of a pool.',
    buckets: RECONCILE_BUCKETS,
    registers,
  });
  const queueDepth = new Gauge({
    name: 'agentbox_workqueue_depth',
    help: 'Pool keys waiting in the work queue.',
    registers,
  });
  const queueRetries = new Counter({
    name: 'agentbox_workqueue_retries_total',
    help: 'Keys re-queued with back-off after a failed reconcile.',
    registers,
  });
  const resolverRequests = new Counter({
    name: 'agentbox_resolver_requests_total',
    help: 'Digest lookups by result (hit: answered by the cache, miss: sent to the registry, error: failed).',
    labelNames: ['result'] as const,
    registers,
  });
  const cacheHits = new Counter({
    name: 'agentbox_resolver_cache_hits_total',
    help: 'Digest lookups answered by the resolver cache (fresh entries and joined calls in flight).',
    registers,
  });
  const cacheMisses = new Counter({
    name: 'agentbox_resolver_cache_misses_total',
    help: 'Digest lookups the resolver cache sent to the registry.',
    registers,
  });
  const releases = new Counter({
    name: 'agentbox_releases_total',
    help: 'Sandboxes released by the controller, by reason.',
    labelNames: ['namespace', 'pool', 'reason'] as const,
    registers,
  });
  const leader = new Gauge({
    name: 'agentbox_leader',
    help: '1 while this replica holds the leader Lease (or runs without leader election), else 0.',
    registers,
  });
  leader.set(0);
  // Zero-initialise the result series so rate() works from the first scrape.
  for (const result of ['success', 'error', 'requeue']) reconcileTotal.inc({ result }, 0);
  for (const result of ['hit', 'miss', 'error']) resolverRequests.inc({ result }, 0);

  // Pod key → time of its last watch event; insertion order is age, so the oldest is dropped first.
  const lastPodEvent = new Map<string, number>();
  const phasesByPool = new Map<string, Set<string>>();

  const incResolverRequests = (result: 'hit' | 'miss' | 'error') => resolverRequests.inc({ result });

  return {
    registry,
    setPoolCounts(namespace, pool, counts, desired) {
      const key = `${namespace}/${pool}`;
      const seen = phasesByPool.get(key) ?? new Set<string>();
      // A phase that dropped out of counts is reported as 0, not left at its last value.
      for (const phase of seen) if (!(phase in counts)) poolSandboxes.set({ namespace, pool, phase }, 0);
      for (const [phase, n] of Object.entries(counts)) {
        poolSandboxes.set({ namespace, pool, phase }, n);
        seen.add(phase);
      }
      phasesByPool.set(key, seen);
      poolDesired.set({ namespace, pool }, desired);
    },
    deletePool(namespace, pool) {
      const key = `${namespace}/${pool}`;
      for (const phase of phasesByPool.get(key) ?? []) poolSandboxes.remove({ namespace, pool, phase });
      phasesByPool.delete(key);
      poolDesired.remove({ namespace, pool });
    },
    observeTransition(namespace, pool, transition: MeasuredTransition, seconds) {
      transitionDuration.observe({ namespace, pool, transition }, Math.max(0, seconds));
    },
    notePodEvent(podKey) {
      lastPodEvent.delete(podKey);
      lastPodEvent.set(podKey, nowMs());
      if (lastPodEvent.size > maxTrackedPods) {
        const oldest = lastPodEvent.keys().next().value;
        if (oldest !== undefined) lastPodEvent.delete(oldest);
      }
    },
    observeReaction(podKey) {
      const at = lastPodEvent.get(podKey);
      if (at === undefined) return;
      lastPodEvent.delete(podKey);
      reaction.observe(Math.max(0, nowMs() - at) / 1000);
    },
    observeReconcile(result, seconds) {
      reconcileTotal.inc({ result });
      reconcileDuration.observe(Math.max(0, seconds));
    },
    setQueueDepth(depth) {
      queueDepth.set(depth);
    },
    incQueueRetries() {
      queueRetries.inc();
    },
    incResolverRequests,
    incReleases(namespace, pool, reason) {
      releases.inc({ namespace, pool, reason });
    },
    setLeader(isLeader) {
      leader.set(isLeader ? 1 : 0);
    },
    onResolverCacheEvent(event) {
      if (event.type === 'hit' || event.type === 'join') {
        cacheHits.inc();
        incResolverRequests('hit');
      } else if (event.type === 'miss') {
        cacheMisses.inc();
        incResolverRequests('miss');
      } else if (event.type === 'error') {
        incResolverRequests('error');
      }
    },
  };
}
