import { type Pod, SandboxPhaseIdle, SandboxPhaseLabelKey, SandboxPoolLabelKey } from '@agentbox/core';
import type { KubeClient } from '../../kube/kube-client.js';
import { podsPath } from '../../kube/kube-paths.js';

/** What waitForPoolChange watches. */
export interface PoolChangeWait {
  namespace: string;
  pool: string;
  /** Watch from here (the claim's LIST), so nothing that happened since is missed. */
  resourceVersion: string | undefined;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/**
 * Resolves when a pod of the pool becomes (or changes while) idle and not deleting — a watch on the
 * pool's idle pods, not polling — or when the watch ends, fails (the caller lists again either way) or
 * `timeoutMs` passes. Rejects only with the caller's abort reason.
 */
export async function waitForPoolChange(kube: KubeClient, wait: PoolChangeWait): Promise<void> {
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  wait.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(), wait.timeoutMs);
  try {
    await kube.watch({
      path: podsPath(wait.namespace),
      query: {
        labelSelector: `${SandboxPoolLabelKey}=${wait.pool},${SandboxPhaseLabelKey}=${SandboxPhaseIdle}`,
        resourceVersion: wait.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: Math.max(1, Math.ceil(wait.timeoutMs / 1000)),
      },
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'ERROR') controller.abort();
        if (event.type !== 'ADDED' && event.type !== 'MODIFIED') return;
        if (!(event.object as Pod).metadata?.deletionTimestamp) controller.abort();
      },
    });
  } catch {
    // A failed watch only means "list again" (the claim's next request reports a real outage); a short pause
    // keeps a watch that fails at once from turning the claim into a busy loop.
    if (!controller.signal.aborted) await pause(Math.min(500, wait.timeoutMs), controller.signal);
  } finally {
    clearTimeout(timer);
    wait.signal?.removeEventListener('abort', onAbort);
  }
  wait.signal?.throwIfAborted();
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
