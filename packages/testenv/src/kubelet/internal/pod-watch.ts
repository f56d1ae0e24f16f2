import { CoreV1Api, type KubeConfig, type V1Pod, Watch } from '@kubernetes/client-node';

/** What {@link watchPods} reports. */
export interface PodWatchHandlers {
  /** A pod was listed, added or modified. */
  upsert(pod: V1Pod): void;
  /** A pod is gone (deleted, or missing from a relist). */
  remove(namespace: string, name: string, uid: string | undefined): void;
  /** A list or watch failed; the watch restarts by itself. */
  error(err: unknown): void;
}

/** Options of {@link watchPods}. */
export interface PodWatchOptions {
  namespace: string | undefined;
  labelSelector: string | undefined;
  /** Relist this often even when the watch looks healthy (watches can go silent). */
  relistIntervalMs: number;
}

/**
 * List-then-watch of pods with the robustness client-node's informer lacks: any watch
 * end or error leads to a fresh list (reporting pods that vanished meanwhile) and a new
 * watch from its resourceVersion, and a periodic relist catches a silent watch.
 * Resolves once the first list has been delivered; `stop()` ends it.
 */
export async function watchPods(
  kc: KubeConfig,
  options: PodWatchOptions,
  handlers: PodWatchHandlers,
): Promise<{ stop(): void }> {
  const core = kc.makeApiClient(CoreV1Api);
  const watch = new Watch(kc);
  const known = new Map<string, string | undefined>();
  let stopped = false;
  let current: AbortController | undefined;
  let generation = 0;
  let timer: NodeJS.Timeout | undefined;

  const list = async (): Promise<string> => {
    const params = { labelSelector: options.labelSelector };
    const res = options.namespace
      ? await core.listNamespacedPod({ namespace: options.namespace, ...params })
      : await core.listPodForAllNamespaces(params);
    const seen = new Set<string>();
    for (const pod of res.items) {
      const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
      seen.add(key);
      known.set(key, pod.metadata?.uid);
      handlers.upsert(pod);
    }
    for (const [key, uid] of known) {
      if (seen.has(key)) continue;
      known.delete(key);
      const [ns, name] = key.split('/') as [string, string];
      handlers.remove(ns, name, uid);
    }
    return res.metadata?.resourceVersion ?? '';
  };

  const restart = (delayMs: number) => {
    if (stopped) return;
    const mine = ++generation;
    current?.abort();
    current = undefined;
    clearTimeout(timer);
    timer = setTimeout(() => void cycle(mine), delayMs);
  };

  const cycle = async (mine: number, listed?: string) => {
    if (stopped || mine !== generation) return;
    try {
      const resourceVersion = listed ?? (await list());
      if (stopped || mine !== generation) return;
      const path = options.namespace ? `/api/v1/namespaces/${options.namespace}/pods` : '/api/v1/pods';
      current = await watch.watch(
        path,
        { resourceVersion, labelSelector: options.labelSelector, allowWatchBookmarks: true },
        (type, obj: V1Pod) => {
          if (stopped || mine !== generation) return;
          const key = `${obj.metadata?.namespace}/${obj.metadata?.name}`;
          if (type === 'ADDED' || type === 'MODIFIED') {
            known.set(key, obj.metadata?.uid);
            handlers.upsert(obj);
          } else if (type === 'DELETED') {
            known.delete(key);
            handlers.remove(obj.metadata?.namespace ?? '', obj.metadata?.name ?? '', obj.metadata?.uid);
          } else if (type === 'ERROR') {
            // e.g. 410 Gone: the resourceVersion expired; only a fresh list can continue.
            restart(0);
          }
        },
        (err) => {
          if (stopped || mine !== generation) return;
          if (err) handlers.error(err);
          restart(err ? 500 : 0);
        },
      );
      clearTimeout(timer);
      timer = setTimeout(() => restart(0), options.relistIntervalMs);
    } catch (err) {
      if (stopped || mine !== generation) return;
      handlers.error(err);
      restart(500);
    }
  };

  // The first list is awaited so the caller knows existing pods are being handled.
  const mine = ++generation;
  void cycle(mine, await list());
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      current?.abort();
    },
  };
}
