/** A Kubernetes timestamp: client-node gives `Date`, raw JSON gives an RFC3339 string. */
export type Timestamp = Date | string;

/** The parts of a pod's metadata agentbox reads or writes. */
export interface PodMetadata {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: Timestamp;
  deletionTimestamp?: Timestamp;
  finalizers?: string[];
}

/** A container of the pod spec. */
export interface PodContainer {
  name?: string;
  image?: string;
}

/** A reference to an object in the pod's namespace (used for image pull secrets). */
export interface PodLocalObjectReference {
  name?: string;
}

/** The parts of a pod spec agentbox reads or writes. */
export interface PodSpec {
  containers?: PodContainer[];
  imagePullSecrets?: PodLocalObjectReference[];
}

/** `state.waiting` of a container status. */
export interface PodContainerStateWaiting {
  reason?: string;
  message?: string;
}

/** `state.running` of a container status. */
export interface PodContainerStateRunning {
  startedAt?: Timestamp;
}

/** `state.terminated` / `lastState.terminated` of a container status. */
export interface PodContainerStateTerminated {
  exitCode?: number;
  reason?: string;
  message?: string;
  containerID?: string;
  startedAt?: Timestamp;
  finishedAt?: Timestamp;
}

/** The state of a container as kubelet reports it. */
export interface PodContainerState {
  waiting?: PodContainerStateWaiting;
  running?: PodContainerStateRunning;
  terminated?: PodContainerStateTerminated;
}

/** A container status as kubelet reports it. */
export interface PodContainerStatus {
  name?: string;
  image?: string;
  imageID?: string;
  containerID?: string;
  restartCount?: number;
  ready?: boolean;
  started?: boolean;
  state?: PodContainerState;
  lastState?: PodContainerState;
}

/** The parts of a pod status agentbox reads. */
export interface PodStatus {
  phase?: string;
  reason?: string;
  message?: string;
  containerStatuses?: PodContainerStatus[];
}

/**
 * A structural pod: every field optional, so `V1Pod` of `@kubernetes/client-node` satisfies it as is and a
 * partial object never makes a function throw a `TypeError`. Fields not listed here are kept on writes.
 */
export interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata?: PodMetadata;
  spec?: PodSpec;
  status?: PodStatus;
}
