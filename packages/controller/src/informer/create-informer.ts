import { isKubeStatus, KubeApiError } from '../kube/kube-api-error.js';
import type { WatchEvent } from '../kube/kube-client.js';
import type { TimerHandle } from '../queue/timers.js';
import type { Informer, InformerHandler, InformerOptions } from './informer.js';
import { resolveInformerOptions } from './informer-options.js';
import { IndexedStore, type StoreChange } from './internal/indexed-store.js';
import { probeWatch } from './internal/probe-watch.js';

interface ObjectMeta {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

interface ListPage {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: unknown[];
}

interface WatchStatus {
  code?: number;
  reason?: string;
  message?: string;
}

/** A probe with no answer by then is given up (the server ends it after one second). */
const PROBE_TIMEOUT_MS = 5_000;
/** The pause before probing again after a probe got no answer. */
const PROBE_RETRY_MS = 1_000;

/** Why one watch ended without an error. */
type WatchOutcome = 'ended' | 'expired' | 'stalled' | 'relist' | 'stopped';

/** The cache key of an object: `namespace/name`, or `name` for a cluster-scoped one. */
export function objectKey(obj: unknown): string {
  const meta = (obj as ObjectMeta).metadata;
  return meta?.namespace ? `${meta.namespace}/${meta.name ?? ''}` : (meta?.name ?? '');
}

function versionOf(obj: unknown): string | undefined {
  return (obj as ObjectMeta).metadata?.resourceVersion;
}

/**
 * Creates a list-watch cache of one collection (see Informer), through the keep-alive KubeClient.
 *
 * 1. LIST in pages (`limit`/`continue`); the store is replaced and the differences are emitted.
 * 2. WATCH from the list's resourceVersion with bookmarks and a jittered `timeoutSeconds`.
 * 3. A clean end re-watches from the last resourceVersion seen; a 410 (an `ERROR` event or the response)
 *    relists; any other failure re-watches after an exponential back-off.
 * 4. A watch silent for `silenceProbeMs` is checked by a one-second second watch from the same resourceVersion;
 *    when that one delivers changes the first did not, the first is frozen and is rebuilt. A watch silent for
 *    `watchdogMs` (not even a bookmark) is rebuilt whatever the probes said.
 */
export function createInformer<T>(options: InformerOptions<T>): Informer<T> {
  const opts = resolveInformerOptions(options);
  // Timing runs on `timers` only (no clock arithmetic), so a fake clock handed to every component of the
  // controller can never stall or spuriously trip the watchdog.
  const { kube, path, timers, transform } = opts;
  const log = opts.logger.child({ informer: path });
  const store = new IndexedStore<T>(objectKey, versionOf, opts.indexers);
  const handlers = new Set<InformerHandler<T>>();
  const selectors = { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector };

  let resourceVersion = '';
  let synced = false;
  let resolveSynced!: () => void;
  const syncedPromise = new Promise<void>((resolve) => {
    resolveSynced = resolve;
  });
  let loop: Promise<void> | undefined;
  let stopped = false;
  let inFlight: AbortController | undefined;
  let wake: (() => void) | undefined;
  let relistTimer: TimerHandle | undefined;
  let relistDue = false;
  let endWatch: ((why: WatchOutcome) => void) | undefined;

  function emit(change: StoreChange<T>): void {
    for (const handler of handlers) {
      try {
        handler(change.type, change.obj, change.old);
      } catch (err) {
        log.error({ err: errorText(err) }, 'informer handler threw');
      }
    }
  }

  async function list(): Promise<void> {
    const ac = new AbortController();
    inFlight = ac;
    try {
      const fresh = new Map<string, T>();
      let listVersion = '';
      let token: string | undefined;
      do {
        const page = await kube.request<ListPage>({
          path,
          query: { ...selectors, limit: opts.pageSize, continue: token },
          signal: ac.signal,
        });
        // Transform page by page, so only one raw page is alive at a time.
        for (const item of page.items ?? []) {
          const obj = transform(item);
          fresh.set(objectKey(obj), obj);
        }
        listVersion = page.metadata?.resourceVersion ?? listVersion;
        token = page.metadata?.continue || undefined;
      } while (token);
      if (stopped) return;
      const changes = store.replace(fresh);
      resourceVersion = listVersion;
      if (opts.relistIntervalMs > 0) {
        if (relistTimer !== undefined) timers.clearTimeout(relistTimer);
        relistDue = false;
        relistTimer = timers.setTimeout(() => {
          relistTimer = undefined;
          relistDue = true;
          endWatch?.('relist');
        }, opts.relistIntervalMs);
      }
      log.debug({ objects: store.size, changes: changes.length, resourceVersion }, 'listed');
      for (const change of changes) emit(change);
      if (!synced) {
        synced = true;
        resolveSynced();
      }
    } finally {
      if (inFlight === ac) inFlight = undefined;
    }
  }

  /** Runs one watch to its end; `healthy` tells whether it delivered anything (the back-off resets then). */
  async function watch(): Promise<{ outcome: WatchOutcome; healthy: boolean }> {
    const ac = new AbortController();
    inFlight = ac;
    let outcome: WatchOutcome = 'ended';
    let failure: unknown;
    let healthy = false;
    // Counts every delivery; the watchdog and the probes each compare it with what they saw last.
    let deliveries = 0;
    const end = (why: WatchOutcome, err?: unknown) => {
      if (ac.signal.aborted) return;
      outcome = why;
      failure = err;
      ac.abort();
    };

    // A frozen connection (a half-dead NAT or load balancer) delivers nothing and never fails; bookmarks come
    // only about once a minute, so silence alone proves nothing before the watchdog's period. The probe asks the
    // server instead, after one to 1¼ probe periods of silence (checked every quarter period): one second of a
    // second watch from the same resourceVersion.
    let probeTimer: TimerHandle | undefined;
    const quarter = opts.silenceProbeMs / 4;
    let seenByProbe = 0;
    let silentQuarters = 0;
    const scheduleProbeCheck = (ms: number) => {
      probeTimer = timers.setTimeout(probeCheck, ms);
    };
    const probeCheck = () => {
      probeTimer = undefined;
      if (ac.signal.aborted) return;
      if (deliveries !== seenByProbe) {
        seenByProbe = deliveries;
        silentQuarters = 0;
      } else silentQuarters++;
      if (silentQuarters < 4) {
        scheduleProbeCheck(quarter);
        return;
      }
      const before = deliveries;
      const from = resourceVersion;
      void probeWatch(kube, {
        path,
        query: { ...selectors, resourceVersion: from },
        timeoutMs: PROBE_TIMEOUT_MS,
        timers,
        signal: ac.signal,
      }).then((result) => {
        if (ac.signal.aborted) return;
        if (deliveries === before && result === 'changed') {
          log.warn({ resourceVersion: from }, 'watch silent while the server had changes; rebuilding it');
          end('stalled');
          return;
        }
        if (deliveries === before && result === 'expired') {
          end('expired');
          return;
        }
        if (deliveries === before && result === 'failed') {
          // No answer: most likely a kept-alive connection frozen by the same fault, which the abort destroyed;
          // the next probe, on another connection, comes soon.
          scheduleProbeCheck(Math.min(quarter, PROBE_RETRY_MS));
          return;
        }
        silentQuarters = 0;
        seenByProbe = deliveries;
        scheduleProbeCheck(quarter);
      });
    };
    if (opts.silenceProbeMs > 0) scheduleProbeCheck(quarter);

    // A watch silent for a whole period is rebuilt: detected between one and two periods after its last
    // delivery (the first check comes one period after the watch starts).
    let watchdog: TimerHandle | undefined;
    let seenByWatchdog = 0;
    const check = () => {
      if (deliveries === seenByWatchdog) {
        log.warn({ watchdogMs: opts.watchdogMs, resourceVersion }, 'watch silent; rebuilding it');
        end('stalled');
        return;
      }
      seenByWatchdog = deliveries;
      watchdog = timers.setTimeout(check, opts.watchdogMs);
    };
    watchdog = timers.setTimeout(check, opts.watchdogMs);
    endWatch = end;
    if (relistDue) end('relist');

    const onEvent = (event: WatchEvent) => {
      if (ac.signal.aborted) return;
      deliveries++;
      switch (event.type) {
        case 'ADDED':
        case 'MODIFIED': {
          healthy = true;
          const obj = transform(event.object);
          resourceVersion = versionOf(obj) ?? resourceVersion;
          emit(store.upsert(obj));
          return;
        }
        case 'DELETED': {
          healthy = true;
          const obj = transform(event.object);
          resourceVersion = versionOf(obj) ?? resourceVersion;
          emit(store.remove(obj));
          return;
        }
        case 'BOOKMARK':
          healthy = true;
          resourceVersion = versionOf(event.object) ?? resourceVersion;
          return;
        case 'ERROR': {
          const status = (event.object ?? {}) as WatchStatus;
          if (status.code === 410) end('expired');
          else
            end(
              'ended',
              new KubeApiError(`watch ${path}: ${status.message ?? status.reason ?? 'ERROR event'}`, {
                status: status.code ?? 500,
                reason: status.reason,
                method: 'GET',
                path,
              }),
            );
          return;
        }
        default:
          log.warn({ type: String(event.type) }, 'unknown watch event type');
      }
    };

    try {
      await kube.watch({
        path,
        query: {
          ...selectors,
          resourceVersion,
          allowWatchBookmarks: true,
          // Jittered within [t, 2t), like client-go, so many watches do not all end at once.
          timeoutSeconds: Math.floor(opts.watchTimeoutSeconds * (1 + Math.random())),
        },
        signal: ac.signal,
        onEvent,
      });
    } finally {
      timers.clearTimeout(watchdog);
      if (probeTimer !== undefined) timers.clearTimeout(probeTimer);
      if (endWatch === end) endWatch = undefined;
      if (inFlight === ac) inFlight = undefined;
    }
    if (stopped) return { outcome: 'stopped', healthy };
    if (failure !== undefined) throw failure;
    return { outcome, healthy };
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = timers.setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        timers.clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });
  }

  function backoffMs(failures: number): number {
    const base = Math.min(opts.backoffMaxMs, opts.backoffInitialMs * 2 ** Math.max(0, failures - 1));
    return Math.min(opts.backoffMaxMs, base * (0.75 + Math.random() * 0.5));
  }

  async function run(): Promise<void> {
    let needList = true;
    // Consecutive rounds without a healthy delivery; drives the back-off.
    let failures = 0;
    while (!stopped) {
      try {
        if (needList) {
          await list();
          needList = false;
          if (stopped) break;
        }
        const { outcome, healthy } = await watch();
        if (healthy) failures = 0;
        if (outcome === 'stopped') break;
        if (outcome === 'expired' || outcome === 'relist') {
          log.info({ resourceVersion, outcome }, 'relisting');
          needList = true;
        }
        // A watch that ends at once without delivering anything is a failure in disguise: back off.
        if (!healthy && outcome !== 'stalled' && outcome !== 'relist') {
          failures++;
          if (failures > 1) await sleep(backoffMs(failures - 1));
        }
      } catch (err) {
        if (stopped) break;
        failures++;
        if (isKubeStatus(err, 410)) {
          // The resourceVersion (or a list's continue token) expired: start over with a fresh list.
          needList = true;
          log.info({ resourceVersion }, 'resource version expired; relisting');
          if (failures > 1) await sleep(backoffMs(failures - 1));
          continue;
        }
        const delay = backoffMs(failures);
        log.warn(
          { err: errorText(err), attempt: failures, retryInMs: Math.round(delay) },
          'list/watch failed',
        );
        await sleep(delay);
      }
    }
  }

  return {
    start() {
      if (loop || stopped) return;
      loop = run();
    },
    synced: syncedPromise,
    hasSynced: () => synced,
    list: () => store.list(),
    get: (key) => store.get(key),
    byIndex: (index, value) => store.byIndex(index, value),
    onEvent(handler) {
      handlers.add(handler);
      if (synced) {
        for (const obj of store.values()) {
          try {
            handler('add', obj, undefined);
          } catch (err) {
            log.error({ err: errorText(err) }, 'informer handler threw');
          }
        }
      }
      return () => {
        handlers.delete(handler);
      };
    },
    lastResourceVersion: () => resourceVersion,
    async stop() {
      stopped = true;
      if (relistTimer !== undefined) timers.clearTimeout(relistTimer);
      inFlight?.abort();
      wake?.();
      await loop;
    },
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
