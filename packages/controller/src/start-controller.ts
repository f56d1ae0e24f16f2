import type { Clock, DigestResolver, Pod } from '@agentbox/core';
import { type ControllerOptions, resolveControllerOptions } from './controller-options.js';
import { parseBindAddress } from './health/parse-bind-address.js';
import { type HttpServerHandle, startHttpServer } from './health/start-http-server.js';
import { createPodInformer, poolKeyOfPod } from './informer/create-pod-informer.js';
import { createPoolInformer } from './informer/create-pool-informer.js';
import type { Informer } from './informer/informer.js';
import { createKubeClient, type KubeClient } from './kube/kube-client.js';
import { createLeaderElector, type LeaderElector } from './leader/create-leader-elector.js';
import { fenceWrites } from './leader/fence-writes.js';
import type { ControllerMetrics } from './observability/controller-metrics.js';
import { createControllerMetrics } from './observability/create-controller-metrics.js';
import { createEventRecorder } from './observability/create-event-recorder.js';
import type { EventRecorder } from './observability/event-recorder.js';
import type { Logger } from './observability/logger.js';
import { createPoolReconciler } from './pool/create-pool-reconciler.js';
import type { SandboxPool } from './pool/sandbox-pool.js';
import { createWorkQueue } from './queue/create-work-queue.js';
import { type ReconcileResult, runWorkers } from './queue/run-workers.js';
import type { WorkQueue } from './queue/work-queue.js';
import { createDefaultResolver, type DefaultResolver } from './resolver/create-default-resolver.js';

/** A started controller. */
export interface RunningController {
  /** Resolves once the caches are synced and, with leader election, this replica leads. */
  readonly ready: Promise<void>;
  /** True while this replica reconciles (always, without leader election, until stopped). */
  isLeader(): boolean;
  /** `http://host:port/metrics`, when the metrics server runs. */
  readonly metricsUrl?: string;
  /** `http://host:port`, serving `/healthz` and `/readyz`, when the health server runs. */
  readonly healthUrl?: string;
  /** Stops taking work, finishes in-flight reconciles (bounded), releases the Lease, stops everything. */
  stop(): Promise<void>;
}

/** What the manager hands the reconciler of one leadership term. */
export interface ManagerReconcilerDeps {
  /** Writes through it are refused once the term ended. */
  kube: KubeClient;
  pods: Informer<Pod>;
  pools: Informer<SandboxPool>;
  resolver: DigestResolver;
  recorder: EventRecorder;
  metrics: ControllerMetrics;
  logger: Logger;
  clock: Clock;
  resyncIntervalMs: number;
}

/** Builds the reconciler of a term. */
export type ReconcilerFactory = (deps: ManagerReconcilerDeps) => {
  reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | undefined>;
  /** An extra key to enqueue (before the pool's) for a pod event, e.g. a per-pod completion. */
  completionKeyOf?(pod: Pod): string | undefined;
  /** Drops what the reconciler subscribed to (called once the term's workers are done). */
  close?(): void;
};

/** Test seams of the manager (not part of the public options). */
export interface ControllerSeams {
  /** Replaces the pool reconciler. */
  reconciler?: ReconcilerFactory;
  /** Wraps the KubeClient the manager creates (e.g. to count requests). */
  wrapKube?: (kube: KubeClient) => KubeClient;
  /** Called when a leadership term starts (true) and ends (false). */
  onLeadership?: (leading: boolean) => void;
}

/** Starts the SandboxPool controller (see startControllerWith). */
export function startController(options: ControllerOptions): Promise<RunningController> {
  return startControllerWith(options, {});
}

interface Term {
  queue: WorkQueue;
  /** Per-pod completion keys, on workers of their own. */
  completions: WorkQueue;
  completionKeyOf: ((pod: Pod) => string | undefined) | undefined;
  abort: AbortController;
  workers: Promise<void>;
}

/**
 * The manager, in controller-runtime's order:
 * 1. metrics and health servers;
 * 2. the KubeClient, the resolver, Events;
 * 3. pod and pool informers (pod events enqueue the pod's completion key at once, on the completions queue, when
 *    the reconciler makes one, and the pod's pool `podEventBatchMs` later; pool events enqueue the pool at once);
 * 4. after the caches synced: leader election when enabled;
 * 5. per leadership term: a work queue seeded with every pool (and every pool a cached pod names) with
 *    `concurrency` workers, and a completions queue with `completionConcurrency` workers, running the reconcile
 *    with the term's signal; its writes go through a fence that refuses them once the term ended.
 * stop() undoes it in reverse.
 */
export async function startControllerWith(
  options: ControllerOptions,
  seams: ControllerSeams,
): Promise<RunningController> {
  const o = resolveControllerOptions(options);
  const { logger, clock } = o;
  const metrics = createControllerMetrics(o.metricsRegistry);
  const metricsBind = parseBindAddress(o.metricsAddress);
  const healthBind = parseBindAddress(o.healthAddress);

  let live = false;
  let synced = false;
  let electing = false;
  let stopped = false;
  let elector: LeaderElector | undefined;
  let term: Term | undefined;

  // 1. Servers first, so probes answer while the caches fill.
  const servers: HttpServerHandle[] = [];
  const closeServers = () => Promise.all(servers.splice(0).map((s) => s.close()));
  let metricsUrl: string | undefined;
  let healthUrl: string | undefined;
  try {
    if (metricsBind) {
      const server = await startHttpServer(metricsBind, async (req, res) => {
        if (req.url?.split('?')[0] !== '/metrics') return false;
        const body = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(body);
        return true;
      });
      servers.push(server);
      metricsUrl = `${server.url}/metrics`;
    }
    if (healthBind) {
      const server = await startHttpServer(healthBind, (req, res) => {
        const path = req.url?.split('?')[0];
        if (path === '/healthz') return answer(res, live, 'ok');
        if (path === '/readyz') {
          const ready = live && synced && !stopped && (!o.leaderElection || electing);
          return answer(res, ready, synced ? 'ok' : 'caches not synced');
        }
        return false;
      });
      servers.push(server);
      healthUrl = server.url;
    }
  } catch (err) {
    await closeServers();
    throw err;
  }

  // 2. The API client, the resolver, Events.
  let kube: KubeClient;
  try {
    const raw = await createKubeClient(o.kubeConfig, o.kubeClient);
    kube = seams.wrapKube ? seams.wrapKube(raw) : raw;
  } catch (err) {
    await closeServers();
    throw err;
  }
  let ownResolver: DefaultResolver | undefined;
  if (!o.resolver) {
    ownResolver = await createDefaultResolver({
      kube,
      backend: o.resolverBackend,
      cacheTtlMs: o.resolverCacheTtlMs,
      dockerConfigPath: o.dockerConfigPath,
      onCacheEvent: metrics.onResolverCacheEvent,
    });
  }
  const resolver: DigestResolver = o.resolver ?? (ownResolver as DigestResolver);
  const recorder = createEventRecorder(kube, { component: o.eventComponent, clock, logger });
  const reconcilerFactory = seams.reconciler ?? defaultReconciler;

  // 3. Informers; handlers only enqueue (level-based: the reconcile reads the cache).
  const pods = createPodInformer(kube, { namespace: o.namespace, logger, clock });
  const pools = createPoolInformer(kube, { namespace: o.namespace, logger, clock });
  pods.onEvent((type, pod, old) => {
    const meta = pod.metadata;
    metrics.notePodEvent(`${meta?.namespace ?? ''}/${meta?.name ?? ''}`);
    const key = poolKeyOfPod(pod);
    // A completion goes at once, on its own key; the pool's reconcile (status, Events, timeouts) follows
    // podEventBatchMs later, one for all the pod events of a burst.
    const queue = term?.queue;
    if (!queue) return;
    const completion = type === 'delete' ? undefined : term?.completionKeyOf?.(pod);
    if (completion) term?.completions.add(completion);
    if (key) queue.addAfter(key, o.podEventBatchMs);
    const oldKey = old ? poolKeyOfPod(old) : undefined;
    if (oldKey && oldKey !== key) queue.addAfter(oldKey, o.podEventBatchMs);
  });
  pools.onEvent((type, pool) => {
    const key = `${pool.metadata?.namespace ?? ''}/${pool.metadata?.name ?? ''}`;
    if (type === 'delete') metrics.deletePool(pool.metadata?.namespace ?? '', pool.metadata?.name ?? '');
    term?.queue.add(key);
  });
  pods.start();
  pools.start();
  live = true;
  logger.info({ namespace: o.namespace ?? '(all)' }, 'controller started; waiting for caches');

  const depthTimer = setInterval(
    () => metrics.setQueueDepth((term?.queue.len() ?? 0) + (term?.completions.len() ?? 0)),
    1_000,
  );
  depthTimer.unref();

  function startTerm(leaderSignal: AbortSignal | undefined, isCurrentLeader: () => boolean): void {
    if (stopped) return;
    const abort = new AbortController();
    if (leaderSignal) {
      if (leaderSignal.aborted) return;
      leaderSignal.addEventListener('abort', () => abort.abort(leaderSignal.reason), { once: true });
    }
    // A failing pool is retried at least as often as a healthy one is resynced. With client-go's 1000 s cap, a
    // pool whose reconciles failed a dozen times in a row (a registry or API server outage) waits minutes for
    // its next try when no pod event comes; the chaos runner saw a finished stop wait 5 minutes after one.
    const queue = createWorkQueue({ clock, backoffMaxMs: o.resyncIntervalMs });
    const completions = createWorkQueue({ clock, backoffMaxMs: o.resyncIntervalMs });
    const reconciler = reconcilerFactory({
      kube: fenceWrites(kube, abort.signal, isCurrentLeader),
      pods,
      pools,
      resolver,
      recorder,
      metrics,
      logger,
      clock,
      resyncIntervalMs: o.resyncIntervalMs,
    });
    for (const pool of pools.list())
      queue.add(`${pool.metadata?.namespace ?? ''}/${pool.metadata?.name ?? ''}`);
    // Pools named by cached pods too: pods of a pool deleted while no replica led go by its deletion path now,
    // not at their next event.
    for (const pod of pods.list()) {
      const key = poolKeyOfPod(pod);
      if (key) queue.add(key);
    }
    const workerOptions = {
      signal: abort.signal,
      clock,
      reconcile: async (key: string, signal: AbortSignal) => (await reconciler.reconcile(key, signal)) ?? {},
      onResult(key: string, outcome: ReconcileResult | Error, seconds: number) {
        if (outcome instanceof Error) {
          metrics.observeReconcile('error', seconds);
          metrics.incQueueRetries();
          if (!abort.signal.aborted)
            logger.warn({ pool: key, err: outcome.message }, 'reconcile failed; retrying with back-off');
        } else {
          metrics.observeReconcile(outcome.requeueAfterMs === undefined ? 'success' : 'requeue', seconds);
        }
      },
    };
    const workers = Promise.all([
      runWorkers(queue, { ...workerOptions, concurrency: o.concurrency }),
      runWorkers(completions, { ...workerOptions, concurrency: o.completionConcurrency }),
    ]).then(() => {});
    // The reconciler subscribes to the informers; a later term gets a fresh one.
    const closeReconciler = () => reconciler.close?.();
    workers.then(closeReconciler, closeReconciler);
    const current: Term = {
      queue,
      completions,
      abort,
      workers,
      completionKeyOf: reconciler.completionKeyOf?.bind(reconciler),
    };
    term = current;
    metrics.setLeader(true);
    seams.onLeadership?.(true);
    abort.signal.addEventListener(
      'abort',
      () => {
        if (term === current) term = undefined;
        metrics.setLeader(false);
        seams.onLeadership?.(false);
      },
      { once: true },
    );
  }

  // 4. After sync: election (or the one term of a single replica).
  let resolveLeading: () => void = () => {};
  const leading = new Promise<void>((resolve) => {
    resolveLeading = resolve;
  });
  const ready = (async () => {
    await Promise.all([pods.synced, pools.synced]);
    if (stopped) return;
    synced = true;
    logger.info({ pods: pods.list().length, pools: pools.list().length }, 'caches synced');
    if (o.leaderElection) {
      elector = createLeaderElector({
        kube,
        election: o.leaderElection,
        clock,
        logger,
        onStartedLeading: (signal) => {
          startTerm(signal, () => elector?.isLeader() ?? false);
          resolveLeading();
        },
        onStoppedLeading: (reason) => {
          if (!stopped) logger.warn({ reason }, 'leadership lost; reconciles aborted');
        },
      });
      elector.start();
      electing = true;
      await leading;
    } else {
      // Only the term's signal ends it: in-flight reconciles may still write while stop() drains them.
      startTerm(undefined, () => true);
    }
  })();
  // `ready` may be awaited late or never: its rejection must not be unhandled.
  ready.catch(() => {});

  let stopping: Promise<void> | undefined;
  async function stop(): Promise<void> {
    stopped = true;
    resolveLeading();
    const current = term;
    // 5. Stop taking work; in-flight reconciles get drainTimeoutMs, then their signal aborts.
    if (current) {
      await withTimeout(
        Promise.all([current.queue.shutDownWithDrain(), current.completions.shutDownWithDrain()]),
        o.drainTimeoutMs,
      );
      current.abort.abort(new Error('controller stopping'));
      await withTimeout(current.workers, 2_000);
    }
    metrics.setLeader(false);
    await elector?.stop();
    await Promise.all([pods.stop(), pools.stop()]);
    clearInterval(depthTimer);
    await withTimeout(recorder.flush(), 2_000);
    await closeServers();
    await ownResolver?.close();
    await kube.close();
    logger.info({}, 'controller stopped');
  }

  return {
    ready,
    isLeader: () => !stopped && term !== undefined && (elector ? elector.isLeader() : true),
    ...(metricsUrl ? { metricsUrl } : {}),
    ...(healthUrl ? { healthUrl } : {}),
    stop() {
      stopping ??= stop();
      return stopping;
    },
  };
}

function answer(res: import('node:http').ServerResponse, ok: boolean, text: string): true {
  res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
  res.end(ok ? 'ok\n' : `${text}\n`);
  return true;
}

async function withTimeout(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    p.then(
      () => {},
      () => {},
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

const defaultReconciler: ReconcilerFactory = ({ resyncIntervalMs, ...deps }) =>
  createPoolReconciler({ ...deps, options: { resyncIntervalMs } });
