import { type KubeClient, podsPath } from '@agentbox/controller';
import {
  getInplaceUpdateState,
  type Pod,
  SandboxPhaseIdle,
  SandboxPhaseLabelKey,
  SandboxPhaseRunning,
  SandboxPhaseStarting,
} from '@agentbox/core';

interface Track {
  statusAt?: number;
  runningAt?: number;
}

/**
 * Watches a namespace's pods and timestamps, per pod, the status write that completes its update (every
 * container of `lastContainerStatuses` runs the target digest with a new containerID) and the moment the
 * phase label turns `running`. The same watch measures both controllers.
 */
export class PodTracker {
  private readonly tracks = new Map<string, Track>();
  private readonly pods = new Map<string, Pod>();
  private readonly abort = new AbortController();
  private waiters: Array<() => void> = [];
  private tracking = false;
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly kube: KubeClient,
    private readonly namespace: string,
    private readonly targetDigests: ReadonlySet<string>,
  ) {}

  async start(): Promise<void> {
    const list = await this.kube.request<{ metadata: { resourceVersion: string }; items: Pod[] }>({
      path: podsPath(this.namespace),
    });
    for (const pod of list.items) this.pods.set(pod.metadata?.name ?? '', pod);
    let rv = list.metadata.resourceVersion;
    this.done = (async () => {
      while (!this.abort.signal.aborted) {
        await this.kube
          .watch({
            path: podsPath(this.namespace),
            query: { resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds: 600 },
            signal: this.abort.signal,
            onEvent: (ev) => {
              const pod = ev.object as Pod;
              rv = pod.metadata?.resourceVersion ?? rv;
              if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') return;
              this.observe(ev.type === 'DELETED' ? undefined : pod, pod.metadata?.name ?? '');
            },
          })
          .catch(() => undefined);
      }
    })();
  }

  private observe(pod: Pod | undefined, name: string): void {
    const now = performance.now();
    if (!pod) this.pods.delete(name);
    else {
      this.pods.set(name, pod);
      // A claim's PUT shows up here (label starting) before the claim call returns to the harness: start
      // timing on that event, so no later event is missed.
      if (
        this.tracking &&
        pod.metadata?.labels?.[SandboxPhaseLabelKey] === SandboxPhaseStarting &&
        !this.tracks.has(name)
      ) {
        this.tracks.set(name, {});
      }
      const track = this.tracks.get(name);
      if (track && track.statusAt === undefined && this.updateLanded(pod)) track.statusAt = now;
      if (
        track &&
        track.runningAt === undefined &&
        pod.metadata?.labels?.[SandboxPhaseLabelKey] === SandboxPhaseRunning
      ) {
        track.statusAt ??= now;
        track.runningAt = now;
      }
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private updateLanded(pod: Pod): boolean {
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
      if (!status?.containerID || status.containerID === last.containerID || !this.targetDigests.has(digest))
        return false;
    }
    return true;
  }

  /** From now on every pod that turns `starting` is timed. */
  startTracking(): void {
    this.tracking = true;
  }

  /** True when `pod` is being timed. */
  isTracked(pod: string): boolean {
    return this.tracks.has(pod);
  }

  /** Resolves when `predicate` holds over the current pods (checked on every event). */
  async waitFor(predicate: (pods: Pod[]) => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate([...this.pods.values()])) {
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${this.summary()})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 500);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Pods in a phase (label), ready when asked. */
  count(phase: string, ready = false): number {
    let n = 0;
    for (const pod of this.pods.values()) {
      if ((pod.metadata?.labels?.[SandboxPhaseLabelKey] ?? SandboxPhaseIdle) !== phase) continue;
      if (pod.metadata?.deletionTimestamp) continue;
      if (ready && !isReady(pod)) continue;
      n++;
    }
    return n;
  }

  /** Reaction times (status write → running label) of every tracked pod that reached running. */
  reactionsMs(): number[] {
    const out: number[] = [];
    for (const t of this.tracks.values()) {
      if (t.statusAt !== undefined && t.runningAt !== undefined) out.push(t.runningAt - t.statusAt);
    }
    return out;
  }

  allRunning(): boolean {
    for (const t of this.tracks.values()) if (t.runningAt === undefined) return false;
    return true;
  }

  lastRunningAt(): number {
    let last = 0;
    for (const t of this.tracks.values()) last = Math.max(last, t.runningAt ?? 0);
    return last;
  }

  /** Pods per phase label and how many tracked pods reached running, for error messages. */
  summary(): string {
    const phases: Record<string, number> = {};
    for (const pod of this.pods.values()) {
      const phase = pod.metadata?.labels?.[SandboxPhaseLabelKey] ?? '<none>';
      phases[phase] = (phases[phase] ?? 0) + 1;
    }
    const tracked = [...this.tracks.values()];
    const running = tracked.filter((t) => t.runningAt !== undefined).length;
    const landed = tracked.filter((t) => t.statusAt !== undefined).length;
    return `phases ${JSON.stringify(phases)}; tracked ${tracked.length}, status landed ${landed}, running ${running}`;
  }

  reset(): void {
    this.tracks.clear();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}

/** True when the pod's PodReady condition is True. */
export function isReady(pod: Pod): boolean {
  const conditions = (pod.status as { conditions?: Array<{ type?: string; status?: string }> } | undefined)
    ?.conditions;
  return conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}
