/**
 * Why a container's update is not (yet) complete, in the order they are checked:
 * - `SpecNotAtTarget`: the spec image differs from `targetImages` (edited again since the trigger);
 * - `ContainerNotInSpec`: the state names a container the spec no longer has;
 * - `NoStatus`: kubelet has not reported the container;
 * - `ContainerIDUnchanged`: the container recorded at trigger time has not been replaced yet;
 * - `ContainerNotRunning`: the status does not show the container running (a half-written status can pair
 *   the new image with the killed container's id and `terminated` state);
 * - `InvalidImageID`: the status `imageID` is not a digest (`digestFromStatus` failed, e.g. still pulling);
 * - `ResolverError`: resolving the target (or a config digest) failed;
 * - `DigestMismatch`: the running digest is not the target's, and neither are their config digests.
 */
export type UpdatePendingReason =
  | 'SpecNotAtTarget'
  | 'ContainerNotInSpec'
  | 'NoStatus'
  | 'ContainerIDUnchanged'
  | 'ContainerNotRunning'
  | 'InvalidImageID'
  | 'ResolverError'
  | 'DigestMismatch';

/** What one container of a pending update is waiting for. */
export interface ContainerUpdateExplanation {
  /** Container name. */
  container: string;
  /** True when this container has reached its target. */
  done: boolean;
  /** Why it has not, when `done` is false. */
  reason?: UpdatePendingReason;
  /** One human-readable line. */
  message: string;
  /** Image in the pod spec. */
  specImage?: string;
  /** `targetImages[container]` of the state. */
  targetImage?: string;
  /** Digest the container runs, from its status. */
  runningDigest?: string;
  /** Digest the spec image resolves to. */
  targetDigest?: string;
  /** `state.waiting` of the container status (ErrImagePull, ImagePullBackOff, CrashLoopBackOff, …). */
  waiting?: { reason?: string; message?: string };
  /** The resolver or parse error behind `ResolverError` / `InvalidImageID`. */
  error?: unknown;
}

/** The answer of explainUpdate: is the pod's update complete, and per container what is awaited. */
export interface UpdateExplanation {
  /** `namespace/name` of the pod. */
  pod: string;
  /** Same answer as isInplaceUpdateCompleted. */
  completed: boolean;
  /** Phase of the state (`starting`, `stopping`, `completed`); absent without a state. */
  phase?: string;
  /** Target phase of the state. */
  targetPodPhase?: string;
  /** One entry per container the update concerns; empty without a pending update. */
  containers: ContainerUpdateExplanation[];
}
