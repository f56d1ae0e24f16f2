import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { KubeletSimulatorError } from '../kubelet-simulator-error.js';
import { imageStartedFor } from './node-runtime.js';
import { laterIfCurrent, type PodChain } from './pod-chain.js';
import { bindPod, finishPodDeletion } from './pod-lifecycle-calls.js';
import { PodStatusPublisher } from './pod-status-publisher.js';
import { adoptSimContainer, newSimContainer, type SimContainer, terminate } from './sim-container.js';
import type { SimContext } from './sim-context.js';
import { startContainer } from './start-container.js';

/** Exit code of a container killed with SIGKILL (kubelet's kill after the grace period, the OOM killer). */
const SIGKILL_EXIT = 137;

/**
 * Plays kubelet for one pod: binds it, runs its containers through pulls, restarts,
 * image changes, OOM kills and evictions, and publishes the status. Every action runs
 * in one promise chain per pod, so status writes for a pod never overlap.
 */
export class PodActor implements PodChain {
  private latest: V1Pod;
  private readonly containers = new Map<string, SimContainer>();
  private readonly status: PodStatusPublisher;
  private chain: Promise<void> = Promise.resolve();
  private syncQueued = false;
  private bindRequested = false;
  private deleteRequested = false;
  private disposed = false;
  private statusRetryQueued = false;

  constructor(
    readonly ctx: SimContext,
    pod: V1Pod,
  ) {
    this.latest = pod;
    this.status = new PodStatusPublisher(ctx, () => this.gone());
  }

  get uid(): string | undefined {
    return this.latest.metadata?.uid;
  }

  /** A newer copy of the pod arrived from the watch. */
  onPod(pod: V1Pod): void {
    this.latest = pod;
    // Syncs coalesce: a queued sync reads `latest` when it runs, so one is enough.
    if (this.syncQueued) return;
    this.syncQueued = true;
    void this.run(async () => {
      this.syncQueued = false;
      await this.sync();
    });
  }

  /** The pod is gone: pending timers become no-ops. */
  dispose(): void {
    this.disposed = true;
    for (const c of this.containers.values()) c.token += 1;
  }

  /**
   * Runs `fn` after every earlier action of this pod. Its error goes to the caller,
   * and also to the simulator's error list when `report` (background work) is set.
   */
  run<T>(fn: () => Promise<T> | T, report = true): Promise<T> {
    const result = this.chain.then(async () => {
      if (this.gone()) {
        throw new KubeletSimulatorError('PodGone', `pod ${this.key()} is gone or the simulator stopped`);
      }
      return fn();
    });
    this.chain = result.then(
      () => undefined,
      (err: unknown) => {
        if (report && !this.gone()) this.ctx.report(err);
      },
    );
    return result;
  }

  /** The OOM killer ends the running container (exit 137, `OOMKilled`); the restart policy decides what follows. */
  oomKill(container: string): Promise<void> {
    return this.run(() => this.exit(container, 'OOMKilled', SIGKILL_EXIT), false);
  }

  /** The container's process exits with `exitCode` (`Completed` for 0, else `Error`). */
  crash(container: string, exitCode: number): Promise<void> {
    return this.run(() => this.exit(container, exitCode === 0 ? 'Completed' : 'Error', exitCode), false);
  }

  /** kubelet evicts the pod: containers killed, phase Failed, reason Evicted, DisruptionTarget set. */
  evict(message: string): Promise<void> {
    return this.run(async () => {
      this.requireOurs();
      this.killAll();
      this.status.terminal = { phase: 'Failed', reason: 'Evicted', message, disruption: true };
      await this.publish();
    }, false);
  }

  /** The readiness probe of `container` starts passing (true) or failing (false). */
  setReady(container: string, ready: boolean): Promise<void> {
    return this.run(async () => {
      this.requireOurs();
      this.container(container).probeReady = ready;
      await this.publish();
    }, false);
  }

  /** The container named `name` in the pod's latest spec. */
  spec(name: string): V1Container | undefined {
    return this.latest.spec?.containers.find((c) => c.name === name);
  }

  /**
   * Publishes the containers' status, in kubelet's separate writes when `splitStatusWrites` is set. A failed
   * write is tried again after `statusRetryMs` with the status as it then stands (the error still goes to the
   * caller): the pod stays dirty, as in kubelet's status manager.
   */
  async publish(): Promise<void> {
    try {
      await this.status.publish(this.latest, this.containers);
    } catch (err) {
      this.retryStatusLater();
      throw err;
    }
  }

  private retryStatusLater(): void {
    if (this.statusRetryQueued) return;
    this.statusRetryQueued = true;
    this.ctx.later(this.ctx.statusRetryMs, () => {
      void this.run(async () => {
        this.statusRetryQueued = false;
        await this.publish();
      });
    });
  }

  /** True once nothing more should happen for this pod (it is gone, or the simulator stopped). */
  private gone(): boolean {
    return this.disposed || this.ctx.isStopped();
  }

  private requireOurs(): void {
    if (this.latest.spec?.nodeName !== this.ctx.nodeName) {
      throw new KubeletSimulatorError(
        'PodNotOnNode',
        `pod ${this.key()} is not bound to node ${this.ctx.nodeName}`,
      );
    }
  }

  private container(name: string): SimContainer {
    const c = this.containers.get(name);
    if (!c) {
      throw new KubeletSimulatorError(
        'ContainerNotFound',
        `pod ${this.key()} has no container ${JSON.stringify(name)} on this node`,
      );
    }
    return c;
  }

  private key(): string {
    return `${this.latest.metadata?.namespace}/${this.latest.metadata?.name}`;
  }

  private async sync(): Promise<void> {
    const pod = this.latest;
    if (pod.metadata?.deletionTimestamp) return this.terminateForDeletion();
    if (!pod.spec?.nodeName) return this.bind();
    if (pod.spec.nodeName !== this.ctx.nodeName || this.status.terminal) return;
    if (!this.status.hasPublished && pod.status?.containerStatuses?.length) this.adoptLeftovers(pod);
    this.status.startTime ??= new Date();
    this.status.podIP ??= this.ctx.allocatePodIP();
    let changed = !this.status.hasPublished;
    for (const spec of pod.spec.containers) {
      const c = this.containers.get(spec.name);
      if (!c) {
        const created = newSimContainer(spec.name, spec.image ?? '');
        this.containers.set(spec.name, created);
        startContainer(this, created);
        changed = true;
      } else if (c.want !== (spec.image ?? '')) {
        // kubelet 1.35 first acknowledges the new generation in a status write, then replaces the container.
        if (this.ctx.generationStatusWrite && this.status.hasPublished) await this.publish();
        // kubelet kills a container whose spec changed, whatever the restart policy, then starts a new one:
        // an app that exits on SIGTERM ends Completed, any other is killed after the grace period.
        const graceful = this.ctx.handlesSigterm(c.want);
        c.want = spec.image ?? '';
        terminate(c, graceful ? 'Completed' : 'Error', graceful ? 0 : SIGKILL_EXIT);
        startContainer(this, c, true);
        changed = true;
      }
    }
    if (changed) await this.publish();
  }

  /** A restarted node finds its pods as it left them: keep their IP, start time and running containers. */
  private adoptLeftovers(pod: V1Pod): void {
    const statuses = pod.status?.containerStatuses ?? [];
    this.status.startTime ??= pod.status?.startTime;
    this.status.podIP ??= pod.status?.podIP;
    for (const spec of pod.spec?.containers ?? []) {
      const status = statuses.find((s) => s.name === spec.name);
      const image = spec.image ?? '';
      const adopted = adoptSimContainer(status, image, this.ctx.format.statusImage(image));
      if (!adopted) continue;
      // The status may pair the spec image with the container it replaces (a split write cut short by the
      // restart): that container runs another image, so it is replaced now, as kubelet would.
      const startedFor = imageStartedFor(this.ctx.nodeName, adopted.containerID);
      if (startedFor !== undefined && startedFor !== image) continue;
      this.containers.set(spec.name, adopted);
      // The image it runs is on the node: a restart of that container needs no pull.
      const digest = adopted.imageID.split('@').pop();
      if (digest?.startsWith('sha256:') && !this.ctx.images.has(image)) this.ctx.images.set(image, digest);
    }
  }

  private async bind(): Promise<void> {
    if (this.bindRequested) return;
    this.bindRequested = true;
    try {
      await bindPod(this.ctx, this.latest);
    } catch (err) {
      // The next sync (watch event or relist) tries again.
      this.bindRequested = false;
      throw err;
    }
  }

  private async exit(name: string, reason: string, exitCode: number): Promise<void> {
    this.requireOurs();
    const c = this.container(name);
    if (!c.state.running) {
      throw new KubeletSimulatorError(
        'ContainerNotRunning',
        `container ${name} of pod ${this.key()} is not running`,
      );
    }
    const token = ++c.token;
    terminate(c, reason, exitCode);
    const policy = this.latest.spec?.restartPolicy ?? 'Always';
    const restart = policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
    if (!restart && [...this.containers.values()].every((x) => x.state.terminated)) {
      const failed = [...this.containers.values()].some((x) => x.state.terminated?.exitCode !== 0);
      this.status.terminal = { phase: failed ? 'Failed' : 'Succeeded' };
    }
    await this.publish();
    if (restart) laterIfCurrent(this, c, token, this.ctx.restartDelayMs, () => startContainer(this, c));
  }

  private async terminateForDeletion(): Promise<void> {
    if (this.deleteRequested || this.latest.spec?.nodeName !== this.ctx.nodeName) return;
    this.deleteRequested = true;
    this.killAll();
    // The pod is going anyway: a failed last status must not keep kubelet from finishing the delete.
    await this.publish().catch(() => undefined);
    await finishPodDeletion(this.ctx, this.latest);
  }

  /** kubelet kills every container (SIGKILL, no grace left) and drops their pending plans. */
  private killAll(): void {
    for (const c of this.containers.values()) {
      c.token += 1;
      terminate(c, 'Error', SIGKILL_EXIT);
    }
  }
}
