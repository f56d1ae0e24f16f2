import type { V1Container, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { isValidImage } from '../container-runtime.js';
import { KubeletSimulatorError } from '../kubelet-simulator-error.js';
import { splitSteps, type TerminalPhase } from './pod-fields.js';
import { bindPod, finishPodDeletion } from './pod-lifecycle-calls.js';
import {
  adoptSimContainer,
  containerStatus,
  newSimContainer,
  type SimContainer,
  terminate,
  wait,
} from './sim-container.js';
import type { SimContext } from './sim-context.js';
import { writePodStatus } from './write-pod-status.js';

/** Exit code of a container killed with SIGKILL (kubelet's kill after the grace period, the OOM killer). */
const SIGKILL_EXIT = 137;

/**
 * Plays kubelet for one pod: binds it, runs its containers through pulls, restarts,
 * image changes, OOM kills and evictions, and publishes the status. Every action runs
 * in one promise chain per pod, so status writes for a pod never overlap.
 */
export class PodActor {
  private latest: V1Pod;
  private readonly containers = new Map<string, SimContainer>();
  private chain: Promise<void> = Promise.resolve();
  private syncQueued = false;
  private terminal: TerminalPhase | undefined;
  private published: V1ContainerStatus[] | undefined;
  private startTime: Date | undefined;
  private podIP: string | undefined;
  private bindRequested = false;
  private deleteRequested = false;
  private disposed = false;

  constructor(
    private readonly ctx: SimContext,
    pod: V1Pod,
  ) {
    this.latest = pod;
  }

  get uid(): string | undefined {
    return this.latest.metadata?.uid;
  }

  /** A newer copy of the pod arrived from the watch. */
  onPod(pod: V1Pod): void {
    this.latest = pod;
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
      if (this.disposed || this.ctx.isStopped()) {
        throw new KubeletSimulatorError('PodGone', `pod ${this.key()} is gone or the simulator stopped`);
      }
      return fn();
    });
    this.chain = result.then(
      () => undefined,
      (err: unknown) => {
        if (report && !this.disposed && !this.ctx.isStopped()) this.ctx.report(err);
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
      for (const c of this.containers.values()) {
        c.token += 1;
        terminate(c, 'Error', SIGKILL_EXIT);
      }
      this.terminal = { phase: 'Failed', reason: 'Evicted', message, disruption: true };
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

  private spec(name: string): V1Container | undefined {
    return this.latest.spec?.containers.find((c) => c.name === name);
  }

  private async sync(): Promise<void> {
    const pod = this.latest;
    if (pod.metadata?.deletionTimestamp) return this.terminateForDeletion();
    if (!pod.spec?.nodeName) return this.bind();
    if (pod.spec.nodeName !== this.ctx.nodeName || this.terminal) return;
    if (this.published === undefined && pod.status?.containerStatuses?.length) {
      // A restarted node finds its pods as it left them: keep their IP, start time and running containers.
      this.startTime ??= pod.status.startTime;
      this.podIP ??= pod.status.podIP;
      for (const spec of pod.spec.containers) {
        const status = pod.status.containerStatuses.find((s) => s.name === spec.name);
        const image = spec.image ?? '';
        const adopted = adoptSimContainer(status, image, this.ctx.format.statusImage(image));
        if (!adopted) continue;
        this.containers.set(spec.name, adopted);
        const digest = adopted.imageID.split('@').pop();
        if (digest?.startsWith('sha256:') && !this.ctx.images.has(image)) this.ctx.images.set(image, digest);
      }
    }
    this.startTime ??= new Date();
    this.podIP ??= this.ctx.allocatePodIP();
    let changed = this.published === undefined;
    for (const spec of pod.spec.containers) {
      const c = this.containers.get(spec.name);
      if (!c) {
        const created = newSimContainer(spec.name, spec.image ?? '');
        this.containers.set(spec.name, created);
        this.start(created);
        changed = true;
      } else if (c.want !== (spec.image ?? '')) {
        // kubelet kills a container whose spec changed, whatever the restart policy, then starts a new one.
        c.want = spec.image ?? '';
        terminate(c, 'Error', SIGKILL_EXIT);
        this.start(c);
        changed = true;
      }
    }
    if (changed) await this.publish();
  }

  private async bind(): Promise<void> {
    if (this.bindRequested) return;
    this.bindRequested = true;
    try {
      await bindPod(this.ctx, this.latest);
    } catch (err) {
      this.bindRequested = false;
      throw err;
    }
  }

  /** Plans the next runtime container of `c`: from the node's image store, or through a pull. */
  private start(c: SimContainer): void {
    const token = ++c.token;
    const image = c.want;
    if (!isValidImage(image)) {
      wait(
        c,
        'InvalidImageName',
        `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`,
      );
      return;
    }
    const policy = this.spec(c.name)?.imagePullPolicy ?? 'IfNotPresent';
    const stored = this.ctx.images.get(image);
    if (stored !== undefined && policy !== 'Always') {
      this.ctx.later(0, () => void this.run(() => this.launch(c, token, image, stored)));
    } else if (policy === 'Never') {
      wait(c, 'ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`);
    } else {
      this.ctx.later(this.ctx.pullDelayMs, () => void this.run(() => this.pull(c, token, image, 0)));
    }
  }

  private async pull(c: SimContainer, token: number, image: string, attempt: number): Promise<void> {
    if (token !== c.token) return;
    let digest: string;
    try {
      digest = await this.ctx.resolveDigest(image);
    } catch (err) {
      if (token !== c.token) return;
      wait(c, 'ErrImagePull', err instanceof Error ? err.message : String(err));
      await this.publish();
      const backOff = Math.min(this.ctx.pullBackOffMs * 2 ** attempt, this.ctx.maxPullBackOffMs);
      this.ctx.later(
        this.ctx.pullBackOffMs,
        () =>
          void this.run(async () => {
            if (token !== c.token) return;
            wait(c, 'ImagePullBackOff', `Back-off pulling image "${image}"`);
            await this.publish();
            this.ctx.later(backOff, () => void this.run(() => this.pull(c, token, image, attempt + 1)));
          }),
      );
      return;
    }
    this.ctx.images.set(image, digest);
    await this.launch(c, token, image, digest);
  }

  /** A new runtime container from `image`: new containerID, imageID of `digest`, restartCount +1 after the first. */
  private async launch(c: SimContainer, token: number, image: string, digest: string): Promise<void> {
    if (token !== c.token) return;
    if (c.state.terminated) c.lastState = { terminated: c.state.terminated };
    if (c.containerID) c.restartCount += 1;
    c.containerID = this.ctx.format.newContainerId();
    c.image = this.ctx.format.statusImage(image);
    c.imageID = this.ctx.format.imageId(image, digest);
    c.state = { running: { startedAt: new Date() } };
    c.readyAfterDelay = this.ctx.readyDelayMs === 0;
    if (!c.readyAfterDelay) {
      this.ctx.later(
        this.ctx.readyDelayMs,
        () =>
          void this.run(async () => {
            if (token !== c.token) return;
            c.readyAfterDelay = true;
            await this.publish();
          }),
      );
    }
    await this.publish();
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
      this.terminal = { phase: failed ? 'Failed' : 'Succeeded' };
    }
    await this.publish();
    if (restart) {
      this.ctx.later(
        this.ctx.restartDelayMs,
        () =>
          void this.run(() => {
            if (token !== c.token) return;
            this.start(c);
          }),
      );
    }
  }

  private async terminateForDeletion(): Promise<void> {
    if (this.deleteRequested || this.latest.spec?.nodeName !== this.ctx.nodeName) return;
    this.deleteRequested = true;
    for (const c of this.containers.values()) {
      c.token += 1;
      terminate(c, 'Error', SIGKILL_EXIT);
    }
    await this.publish().catch(() => undefined);
    await finishPodDeletion(this.ctx, this.latest);
  }

  /** Publishes the containers' status, in kubelet's separate writes when `splitStatusWrites` is set. */
  private async publish(): Promise<void> {
    const specs = this.latest.spec?.containers ?? [];
    const target = specs.flatMap((s) => {
      const c = this.containers.get(s.name);
      return c ? [containerStatus(c, s.image ?? '')] : [];
    });
    const steps = this.ctx.splitStatusWrites ? splitSteps(this.published, target) : [target];
    for (const step of steps) await this.write(step);
  }

  private async write(statuses: V1ContainerStatus[]): Promise<void> {
    const written = await writePodStatus(
      this.ctx,
      {
        namespace: this.latest.metadata?.namespace ?? '',
        name: this.latest.metadata?.name ?? '',
        uid: this.uid,
        terminal: this.terminal,
        podIP: this.podIP,
        startTime: this.startTime,
        cancelled: () => this.disposed || this.ctx.isStopped(),
      },
      statuses,
    );
    if (written) this.published = statuses;
  }
}
