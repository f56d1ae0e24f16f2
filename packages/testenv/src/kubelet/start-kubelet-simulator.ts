import { randomBytes } from 'node:crypto';
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { type ContainerRuntime, runtimeFormat } from './container-runtime.js';
import { PodActor } from './internal/pod-actor.js';
import { watchPods } from './internal/pod-watch.js';
import type { SimContext } from './internal/sim-context.js';
import { KubeletSimulatorError } from './kubelet-simulator-error.js';
import { createRegistryDigestResolver } from './resolve-registry-digest.js';

/** Options of {@link startKubeletSimulator}. */
export interface KubeletSimulatorOptions {
  /** Node the pods are bound to. Default: `agentbox-sim-<random>`. */
  nodeName?: string;
  /** Only pods of this namespace. Default: every namespace. */
  namespace?: string;
  /** Only pods matching this label selector. Default: every pod. */
  labelSelector?: string;
  /** Formats of containerID, imageID and image. Default: `'containerd'`. */
  runtime?: ContainerRuntime;
  /** Time a real pull takes (images already on the node start at once unless `imagePullPolicy: Always`). Default: 20 ms. */
  pullDelayMs?: number;
  /** Lag before every status write. Default: 0. */
  statusLagMs?: number;
  /**
   * A status write that failed (the API server restarting, a dropped connection) is written again after this
   * long, as kubelet's status manager does on its 10 s sync: without it a lost write would stand until the pod
   * changes again. Default: 10 000 ms.
   */
  statusRetryMs?: number;
  /** Publish a replaced container in kubelet's separate writes (imageID + restartCount, then containerID, then ready). Default: false. */
  splitStatusWrites?: boolean;
  /** Time between a container's start and its readiness. Default: 0. */
  readyDelayMs?: number;
  /** Time between a container's exit and its restart (when the restart policy restarts it). Default: 0. */
  restartDelayMs?: number;
  /** Time from `ErrImagePull` to `ImagePullBackOff`, and the first retry's back-off (doubling). Default: 200 ms. */
  pullBackOffMs?: number;
  /** Cap of the doubling pull back-off. Default: 5 000 ms. */
  maxPullBackOffMs?: number;
  /** Relist pods this often even when the watch looks healthy. Default: 30 000 ms. */
  relistIntervalMs?: number;
  /** Basic credentials per registry host for the default digest resolver. Default: none. */
  registryCredentials?: Readonly<Record<string, { username: string; password: string }>>;
  /** How a "pull" learns the manifest digest of an image. Default: a HEAD to the real registry (`createRegistryDigestResolver`). */
  resolveDigest?: (image: string) => Promise<string>;
  /** Called with every background failure (they are also kept in `errors()`). Default: none. */
  onError?: (err: unknown) => void;
  /**
   * Behave like the real node (kubelet 1.35 + containerd) where the simulator used to be simpler;
   * sets the defaults of `imageRecords`, `generationStatusWrite` and `crashLoopBackOffMs` (10 000).
   * Default: false.
   */
  realNodeFidelity?: boolean;
  /**
   * Report `image` and `imageID` from the node's image record, as containerd does: the first
   * reference pulled with a digest names it for every later tag or repository with that digest.
   * Default: `realNodeFidelity`.
   */
  imageRecords?: boolean;
  /**
   * Write a status with the new `observedGeneration` (also on kubelet's conditions) before a
   * changed container is replaced, and report `resources` in container statuses and a
   * `PodScheduled` condition, as kubelet 1.35 does. Default: `realNodeFidelity`.
   */
  generationStatusWrite?: boolean;
  /**
   * kubelet's crash back-off: a container started again after an earlier one of the same name
   * exited (crash, OOM kill, or killed for an image change) waits in `CrashLoopBackOff` when the
   * same container + image was started within its back-off (first wait this long, doubling to
   * `maxCrashLoopBackOffMs`; the first restart is immediate). Flip-flopping between two images
   * hits it on the fourth swap (A→B→A→B), as on the real node. 0 turns it off (restarts after
   * `restartDelayMs`).
   * Default: 10 000 with `realNodeFidelity`, else 0.
   */
  crashLoopBackOffMs?: number;
  /** Cap of the crash back-off. Default: 300 000 ms (kubelet's). */
  maxCrashLoopBackOffMs?: number;
  /**
   * Whether the app of an image exits on SIGTERM: a container replaced for an image change then
   * ends `Completed` (exit 0) instead of `Error` (137, killed after the grace period). Default:
   * false for every image.
   */
  handlesSigterm?: boolean | ((image: string) => boolean);
}

/** Every default of {@link KubeletSimulatorOptions} in one place. */
export function resolveKubeletSimulatorOptions(options: KubeletSimulatorOptions = {}) {
  return {
    nodeName: options.nodeName ?? `agentbox-sim-${randomBytes(4).toString('hex')}`,
    namespace: options.namespace,
    labelSelector: options.labelSelector,
    runtime: options.runtime ?? ('containerd' as ContainerRuntime),
    pullDelayMs: options.pullDelayMs ?? 20,
    statusLagMs: options.statusLagMs ?? 0,
    statusRetryMs: options.statusRetryMs ?? 10_000,
    splitStatusWrites: options.splitStatusWrites ?? false,
    readyDelayMs: options.readyDelayMs ?? 0,
    restartDelayMs: options.restartDelayMs ?? 0,
    pullBackOffMs: options.pullBackOffMs ?? 200,
    maxPullBackOffMs: options.maxPullBackOffMs ?? 5_000,
    relistIntervalMs: options.relistIntervalMs ?? 30_000,
    resolveDigest:
      options.resolveDigest ??
      createRegistryDigestResolver({ credentials: options.registryCredentials ?? {} }),
    onError: options.onError,
    imageRecords: options.imageRecords ?? options.realNodeFidelity ?? false,
    generationStatusWrite: options.generationStatusWrite ?? options.realNodeFidelity ?? false,
    crashLoopBackOffMs: options.crashLoopBackOffMs ?? (options.realNodeFidelity ? 10_000 : 0),
    maxCrashLoopBackOffMs: options.maxCrashLoopBackOffMs ?? 300_000,
    handlesSigterm: toPredicate(options.handlesSigterm ?? false),
  };
}

function toPredicate(value: boolean | ((image: string) => boolean)): (image: string) => boolean {
  return typeof value === 'function' ? value : () => value;
}

/** A running kubelet simulator: one fake node. */
export interface KubeletSimulator {
  readonly nodeName: string;
  /** The OOM killer ends a running container: exit 137, `OOMKilled`, then the restart policy applies. */
  oomKill(namespace: string, name: string, container: string): Promise<void>;
  /** The container's process exits with `exitCode` (Default: 1), then the restart policy applies. */
  crash(namespace: string, name: string, container: string, exitCode?: number): Promise<void>;
  /** kubelet evicts the pod: phase Failed, reason Evicted. */
  evict(namespace: string, name: string, message?: string): Promise<void>;
  /** The container's readiness probe starts passing or failing. */
  setReady(namespace: string, name: string, container: string, ready: boolean): Promise<void>;
  /** Background failures so far (a healthy run has none). */
  errors(): readonly unknown[];
  /** Stops watching and cancels pending work; pods keep their last status. */
  stop(): Promise<void>;
}

/**
 * Starts a kubelet simulator that plays one node for the pods it watches: it binds
 * unscheduled pods through `pods/binding` (as the scheduler would) and writes only
 * their `status` through `pods/status` (as kubelet does), plus kubelet's final
 * zero-grace delete of a pod being deleted. Resolves once existing pods are listed.
 */
export async function startKubeletSimulator(
  kubeConfig: KubeConfig,
  options?: KubeletSimulatorOptions,
): Promise<KubeletSimulator> {
  const o = resolveKubeletSimulatorOptions(options);
  const actors = new Map<string, PodActor>();
  const timers = new Set<NodeJS.Timeout>();
  const errors: unknown[] = [];
  let stopped = false;
  let ips = 0;
  const ctx: SimContext = {
    core: kubeConfig.makeApiClient(CoreV1Api),
    nodeName: o.nodeName,
    hostIP: '172.18.0.2',
    format: runtimeFormat(o.runtime),
    resolveDigest: o.resolveDigest,
    images: new Map(),
    pullDelayMs: o.pullDelayMs,
    statusLagMs: o.statusLagMs,
    statusRetryMs: o.statusRetryMs,
    splitStatusWrites: o.splitStatusWrites,
    readyDelayMs: o.readyDelayMs,
    restartDelayMs: o.restartDelayMs,
    pullBackOffMs: o.pullBackOffMs,
    maxPullBackOffMs: o.maxPullBackOffMs,
    imageRecords: o.imageRecords ? new Map() : undefined,
    generationStatusWrite: o.generationStatusWrite,
    crashLoopBackOffMs: o.crashLoopBackOffMs,
    maxCrashLoopBackOffMs: o.maxCrashLoopBackOffMs,
    crashBackOff: new Map(),
    handlesSigterm: o.handlesSigterm,
    allocatePodIP() {
      ips += 1;
      return `10.244.${Math.floor(ips / 250) % 250}.${(ips % 250) + 2}`;
    },
    later(ms, fn) {
      if (stopped) return;
      const t = setTimeout(() => {
        timers.delete(t);
        if (!stopped) fn();
      }, ms);
      timers.add(t);
    },
    isStopped: () => stopped,
    report(err) {
      errors.push(err);
      o.onError?.(err);
    },
  };
  const upsert = (pod: V1Pod) => {
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    let actor = actors.get(key);
    if (actor && actor.uid !== pod.metadata?.uid) {
      actor.dispose();
      actor = undefined;
    }
    if (!actor) {
      actor = new PodActor(ctx, pod);
      actors.set(key, actor);
    }
    actor.onPod(pod);
  };
  const watch = await watchPods(
    kubeConfig,
    { namespace: o.namespace, labelSelector: o.labelSelector, relistIntervalMs: o.relistIntervalMs },
    {
      upsert,
      remove(namespace, name, uid) {
        const key = `${namespace}/${name}`;
        const actor = actors.get(key);
        if (actor && (uid === undefined || actor.uid === uid)) {
          actor.dispose();
          actors.delete(key);
        }
      },
      error: (err) => ctx.report(err),
    },
  );
  const actorOf = (namespace: string, name: string) => {
    const actor = actors.get(`${namespace}/${name}`);
    if (!actor) {
      throw new KubeletSimulatorError(
        'PodNotOnNode',
        `pod ${namespace}/${name} is not known to node ${o.nodeName}`,
      );
    }
    return actor;
  };
  return {
    nodeName: o.nodeName,
    oomKill: async (namespace, name, container) => actorOf(namespace, name).oomKill(container),
    crash: async (namespace, name, container, exitCode = 1) =>
      actorOf(namespace, name).crash(container, exitCode),
    evict: async (namespace, name, message = 'The node was low on resource: memory. ') =>
      actorOf(namespace, name).evict(message),
    setReady: async (namespace, name, container, ready) =>
      actorOf(namespace, name).setReady(container, ready),
    errors: () => [...errors],
    async stop() {
      if (stopped) return;
      stopped = true;
      watch.stop();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const actor of actors.values()) actor.dispose();
      actors.clear();
    },
  };
}
