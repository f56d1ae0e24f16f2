import { isKubeStatus } from '../../kube/kube-api-error.js';
import type { KubeClient, WatchEvent } from '../../kube/kube-client.js';
import type { Timers } from '../../queue/timers.js';

/** What a probe watch saw: changes after the resourceVersion, none, an expired resourceVersion, or no answer. */
export type ProbeResult = 'changed' | 'quiet' | 'expired' | 'failed';

export interface ProbeWatchRequest {
  path: string;
  /** The watched collection's selectors and the resourceVersion the silent watch last delivered. */
  query: Record<string, string | number | boolean | undefined>;
  /** Client-side limit: a probe with no answer by then (a frozen kept-alive connection, an unreachable server) failed. */
  timeoutMs: number;
  timers: Timers;
  /** The silent watch's signal: a probe never outlives the watch it checks. */
  signal: AbortSignal;
}

/**
 * Asks the API server, on a second short watch from the same resourceVersion, whether the collection changed
 * since. The server replays every change after that version at once and ends the watch after a second; a change
 * the first watch did not deliver proves that watch frozen (a half-dead connection that still looks open).
 */
export async function probeWatch(kube: KubeClient, req: ProbeWatchRequest): Promise<ProbeResult> {
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  req.signal.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer = req.timers.setTimeout(() => {
    timedOut = true;
    ac.abort();
  }, req.timeoutMs);
  let result: ProbeResult = 'quiet';
  // The probe runs to the server's end of it (not to the first change), so the silent watch gets that second to
  // deliver the same change itself: a change both see at once is no stall.
  const onEvent = (event: WatchEvent) => {
    if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED') {
      if (result === 'quiet') result = 'changed';
    } else if (event.type === 'ERROR') {
      const code = (event.object as { code?: number } | undefined)?.code;
      result = code === 410 ? 'expired' : 'failed';
      ac.abort();
    }
  };
  try {
    await kube.watch({
      path: req.path,
      query: { ...req.query, allowWatchBookmarks: false, timeoutSeconds: 1 },
      signal: ac.signal,
      onEvent,
    });
  } catch (err) {
    if (result === 'quiet') result = isKubeStatus(err, 410) ? 'expired' : 'failed';
  } finally {
    req.timers.clearTimeout(timer);
    req.signal.removeEventListener('abort', onAbort);
  }
  if (timedOut && result === 'quiet') return 'failed';
  return result;
}
