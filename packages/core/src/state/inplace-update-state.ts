/** The phases of the state annotation; readers keep any other string as it is. */
export type InplaceUpdatePhase = 'starting' | 'stopping' | 'completed';

/** What a container ran when an update was triggered (`lastContainerStatuses[name]`). */
export interface InplaceUpdateContainerStatus {
  /** Status `imageID` at trigger time; absent when empty. */
  imageID?: string;
  /** Status `containerID` at trigger time; absent when empty. */
  containerID?: string;
}

/** What a container ran when an update completed (`stableContainerStatuses[name]`). */
export interface StableContainerStatus {
  /** Status `containerID` at completion; absent when empty. */
  containerID?: string;
  /** Restart count at completion; recorded (always written, 0 included) but never compared. */
  restartCount: number;
}

/**
 * The in-place update state stored as JSON in the `agentbox.navix.sh/inplace-update-state` annotation
 * (SPEC 1.4). Parsed states never carry empty optional strings or empty maps, so that serialize → parse
 * is the identity.
 */
export interface InplaceUpdateState {
  /** `starting`, `stopping` or `completed`; always written (empty only for a degenerate annotation). */
  phase: InplaceUpdatePhase | (string & {});
  /** The target image, only when exactly one container changed. */
  targetImage?: string;
  /** Container name → target image. */
  targetImages?: Record<string, string>;
  /** Sandbox phase label to set on completion (`running`, `idle`, …). */
  targetPodPhase?: string;
  /** When the state was written; whole seconds on the wire, `null` there when absent. */
  updateTimestamp?: Date;
  /** Container name → what it ran when the update was triggered. */
  lastContainerStatuses?: Record<string, InplaceUpdateContainerStatus>;
  /** Container name → what it ran when the update completed (restart detection). */
  stableContainerStatuses?: Record<string, StableContainerStatus>;
}
