import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SandboxPhaseIdle, SandboxPhaseRunning, SandboxPhaseStarting } from '@agentbox/core';
import type { ObservedPod } from './watch-observer.js';

interface Track {
  statusAt?: number;
  runningAt?: number;
}

const observerEntry = fileURLToPath(new URL('./watch-observer.ts', import.meta.url));

/**
 * Timestamps, per pod of a namespace, the status write that completes its update (every container of
 * `lastContainerStatuses` runs the target digest with a new containerID) and the moment the phase label turns
 * `running`, both as a watch sees them. The watch runs in an observer process of its own (watch-observer.ts),
 * which stamps each event on arrival: this process is busy with the simulator and the claims. The same
 * observer measures both controllers.
 */
export class PodTracker {
  private readonly tracks = new Map<string, Track>();
  private readonly pods = new Map<string, ObservedPod>();
  private waiters: Array<() => void> = [];
  private tracking = false;
  private child: ChildProcess | undefined;

  constructor(
    private readonly kubeconfigPath: string,
    private readonly namespace: string,
    private readonly targetDigests: ReadonlySet<string>,
  ) {}

  /** Starts the observer and resolves once it has listed the namespace. */
  async start(): Promise<void> {
    const child = fork(
      observerEntry,
      [this.kubeconfigPath, this.namespace, [...this.targetDigests].join(',')],
      {
        execArgv: ['--conditions=@agentbox/source', '--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`watch observer exited with ${code}`)));
      child.on('message', (message: ObservedPod | { synced: true }) => {
        if ('synced' in message) resolve();
        else this.observe(message);
      });
    });
  }

  private observe(pod: ObservedPod): void {
    const { name, at } = pod;
    if (pod.deleted) this.pods.delete(name);
    else {
      this.pods.set(name, pod);
      // A claim's PUT shows up here (label starting) before the claim call returns to the harness: start
      // timing on that event, so no later event is missed.
      if (this.tracking && pod.phase === SandboxPhaseStarting && !this.tracks.has(name)) {
        this.tracks.set(name, {});
      }
      const track = this.tracks.get(name);
      if (track && track.statusAt === undefined && pod.landed) track.statusAt = at;
      if (track && track.runningAt === undefined && pod.phase === SandboxPhaseRunning) {
        track.statusAt ??= at;
        track.runningAt = at;
      }
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
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
  async waitFor(predicate: (pods: ObservedPod[]) => boolean, timeoutMs: number, what: string): Promise<void> {
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
      if ((pod.phase ?? SandboxPhaseIdle) !== phase) continue;
      if (pod.deleting) continue;
      if (ready && !pod.ready) continue;
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
      const phase = pod.phase ?? '<none>';
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
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.removeAllListeners('message');
    child.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
