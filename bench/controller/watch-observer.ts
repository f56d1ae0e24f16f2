// The benchmark's observer, a process of its own: it LISTs and WATCHes one namespace's pods and sends the
// harness one line per event, stamped the moment the event arrived here. The harness process also runs the
// kubelet simulator and the sandbox client's 200 claims; timed there, events that wait behind that work get
// one late stamp together (a status write and the running label it caused would look 0.3 ms apart, or
// 260 ms). Here nothing else runs, so the stamps are the arrival times a watch sees.
//
// argv: kubeconfig path, namespace, comma-separated target digests. Messages (process.send): ObservedPod.
import { createKubeClient, loadKubeConfig, podsPath } from '@agentbox/controller';
import { getInplaceUpdateState, type Pod, SandboxPhaseLabelKey } from '@agentbox/core';

/** One observed pod event, as the observer sends it. */
export interface ObservedPod {
  name: string;
  /** performance.timeOrigin + performance.now() when the event arrived (comparable across processes). */
  at: number;
  deleted: boolean;
  phase: string | undefined;
  ready: boolean;
  deleting: boolean;
  /** Every container of the update's trigger-time snapshot runs a target digest with a new containerID, shown running. */
  landed: boolean;
}

/** The observer's clock, shared with the harness: milliseconds since the epoch, sub-millisecond resolution. */
export function observerNow(): number {
  return performance.timeOrigin + performance.now();
}

async function main(): Promise<void> {
  const [kubeconfigPath, namespace, digests] = process.argv.slice(2);
  if (!kubeconfigPath || !namespace || !digests)
    throw new Error('usage: watch-observer KUBECONFIG NS DIGESTS');
  const targets = new Set(digests.split(','));
  const kube = await createKubeClient(loadKubeConfig({ kubeconfig: kubeconfigPath }), {
    userAgent: 'agentbox-bench-observer',
  });
  const abort = new AbortController();
  process.on('disconnect', () => abort.abort());
  const send = (pod: Pod, deleted: boolean, at: number) =>
    process.send?.({
      name: pod.metadata?.name ?? '',
      at,
      deleted,
      phase: pod.metadata?.labels?.[SandboxPhaseLabelKey],
      ready: isReady(pod),
      deleting: pod.metadata?.deletionTimestamp !== undefined,
      landed: updateLanded(pod, targets),
    } satisfies ObservedPod);

  const list = await kube.request<{ metadata: { resourceVersion: string }; items: Pod[] }>({
    path: podsPath(namespace),
  });
  const listedAt = observerNow();
  for (const pod of list.items) send(pod, false, listedAt);
  process.send?.({ synced: true });
  let rv = list.metadata.resourceVersion;
  while (!abort.signal.aborted) {
    await kube
      .watch({
        path: podsPath(namespace),
        query: { resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds: 600 },
        signal: abort.signal,
        onEvent: (ev) => {
          const at = observerNow();
          const pod = ev.object as Pod;
          rv = pod.metadata?.resourceVersion ?? rv;
          if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') return;
          send(pod, ev.type === 'DELETED', at);
        },
      })
      .catch(() => undefined);
  }
  await kube.close();
}

function updateLanded(pod: Pod, targets: ReadonlySet<string>): boolean {
  let state: ReturnType<typeof getInplaceUpdateState>;
  try {
    state = getInplaceUpdateState(pod);
  } catch {
    return false;
  }
  if (!state?.lastContainerStatuses) return false;
  for (const [container, last] of Object.entries(state.lastContainerStatuses)) {
    const status = pod.status?.containerStatuses?.find((s) => s.name === container);
    const digest = status?.imageID?.slice(status.imageID.lastIndexOf('@') + 1) ?? '';
    if (!status?.containerID || status.containerID === last.containerID || !targets.has(digest)) return false;
    if (!status.state?.running) return false; // the completion rule's last check: shown running
  }
  return true;
}

function isReady(pod: Pod): boolean {
  const conditions = (pod.status as { conditions?: Array<{ type?: string; status?: string }> } | undefined)
    ?.conditions;
  return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

if (process.send) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`watch-observer: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
