import type { V1ContainerState, V1ContainerStatus } from '@kubernetes/client-node';

/** The simulated runtime's truth about one container of a pod (what kubelet would observe). */
export interface SimContainer {
  name: string;
  /** Spec image the node is working towards (pulling or running). */
  want: string;
  /** `image` of the current (or last) runtime container; '' before the first one. */
  image: string;
  imageID: string;
  /** '' before the first runtime container. */
  containerID: string;
  restartCount: number;
  state: V1ContainerState;
  lastState: V1ContainerState;
  /** What the readiness probe says while running (`setReady`); true by default. */
  probeReady: boolean;
  /** True once `readyDelayMs` has passed since the container started. */
  readyAfterDelay: boolean;
  /** Incremented by every new plan for this container; stale timers compare it and do nothing. */
  token: number;
}

/** A container that has not been created yet: waiting in `ContainerCreating`. */
export function newSimContainer(name: string, image: string): SimContainer {
  return {
    name,
    want: image,
    image: '',
    imageID: '',
    containerID: '',
    restartCount: 0,
    state: { waiting: { reason: 'ContainerCreating' } },
    lastState: {},
    probeReady: true,
    readyAfterDelay: false,
    token: 0,
  };
}

/** Ends the running container: state terminated with `reason` and `exitCode`, not ready. */
export function terminate(c: SimContainer, reason: string, exitCode: number): void {
  const running = c.state.running;
  if (!running) return;
  c.state = {
    terminated: {
      exitCode,
      reason,
      startedAt: running.startedAt,
      finishedAt: new Date(),
      containerID: c.containerID,
    },
  };
  c.readyAfterDelay = false;
}

/** Puts the container in `waiting`; a terminated container becomes the last state, as kubelet reports it. */
export function wait(c: SimContainer, reason: string, message?: string): void {
  if (c.state.terminated) c.lastState = { terminated: c.state.terminated };
  c.state = { waiting: message === undefined ? { reason } : { reason, message } };
}

/** The status kubelet would publish for the container. */
export function containerStatus(c: SimContainer, specImage: string): V1ContainerStatus {
  const running = c.state.running !== undefined;
  const status: V1ContainerStatus = {
    name: c.name,
    // Before the first container, kubelet reports the spec's image; after, the runtime's.
    image: c.image || specImage,
    imageID: c.imageID,
    ready: running && c.probeReady && c.readyAfterDelay,
    started: running,
    restartCount: c.restartCount,
    state: c.state,
    lastState: c.lastState,
  };
  if (c.containerID) status.containerID = c.containerID;
  return status;
}

/**
 * The running container a previous kubelet (simulator) left behind, taken over as it
 * is when it still runs the spec's image — as kubelet does after a restart — or
 * undefined when the container must be (re)created.
 */
export function adoptSimContainer(
  status: V1ContainerStatus | undefined,
  specImage: string,
  statusImage: string,
): SimContainer | undefined {
  if (!status?.containerID || !status.state?.running || status.image !== statusImage) return undefined;
  return {
    name: status.name,
    want: specImage,
    image: status.image,
    imageID: status.imageID,
    containerID: status.containerID,
    restartCount: status.restartCount,
    state: status.state,
    lastState: status.lastState ?? {},
    probeReady: true,
    readyAfterDelay: true,
    token: 0,
  };
}
