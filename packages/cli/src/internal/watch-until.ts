import type { KubeClient } from '@agentbox/controller';
import { CliError } from '../cli-error.js';

interface Listed {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

/** A list + watch of one collection until `done(objects)` holds. */
export interface WatchUntilOptions<T extends Listed> {
  kube: KubeClient;
  /** Collection path. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Checked after the list and after every change, with the current objects by `namespace/name`. */
  done(objects: ReadonlyMap<string, T>): boolean;
  /** Gives up with `onTimeout()`'s error. */
  timeoutMs: number;
  onTimeout(objects: ReadonlyMap<string, T>): Error;
  signal: AbortSignal;
}

/**
 * Lists the collection, then watches it from the list's resourceVersion (relisting after a 410 or a closed
 * stream) until `done` holds: waiting by watch, never by polling.
 */
export async function watchUntil<T extends Listed>(
  options: WatchUntilOptions<T>,
): Promise<ReadonlyMap<string, T>> {
  const { kube } = options;
  const objects = new Map<string, T>();
  const key = (o: T) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
  const stop = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stop.abort();
  }, options.timeoutMs);
  const onAbort = () => stop.abort();
  options.signal.addEventListener('abort', onAbort, { once: true });
  try {
    while (true) {
      const list = await kube.request<{ metadata?: { resourceVersion?: string }; items: T[] }>({
        path: options.path,
        query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector },
        signal: stop.signal,
      });
      objects.clear();
      for (const o of list.items) objects.set(key(o), o);
      if (options.done(objects)) return objects;
      let finished = false;
      let rv = list.metadata?.resourceVersion;
      await kube.watch({
        path: options.path,
        query: {
          resourceVersion: rv,
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
          allowWatchBookmarks: true,
        },
        signal: stop.signal,
        onEvent(event) {
          if (finished) return;
          const o = event.object as T;
          if (event.type === 'ERROR') {
            rv = undefined;
            return;
          }
          if (event.type === 'BOOKMARK') return;
          if (event.type === 'DELETED') objects.delete(key(o));
          else objects.set(key(o), o);
          if (options.done(objects)) {
            finished = true;
            stop.abort();
          }
        },
      });
      if (finished) return objects;
      if (timedOut) throw options.onTimeout(objects);
      if (options.signal.aborted) throw options.signal.reason ?? new CliError('interrupted');
    }
  } catch (err) {
    if (timedOut) throw options.onTimeout(objects);
    if (options.signal.aborted) throw options.signal.reason ?? new CliError('interrupted');
    throw err;
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onAbort);
  }
}
