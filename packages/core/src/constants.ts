// Wire names shared with the Go reference implementation (SPEC 1). Changing any value breaks
// compatibility with pods written by another implementation.

const prefix = 'agentbox.navix.sh/';

/** API group of the SandboxPool resource. */
export const SandboxPoolGroup = 'agents.navix.sh';
/** API version of the SandboxPool resource. */
export const SandboxPoolVersion = 'v1alpha1';
/** Kind of the SandboxPool resource. */
export const SandboxPoolKind = 'SandboxPool';
/** Plural resource name of SandboxPool. */
export const SandboxPoolPlural = 'sandboxpools';

/** Annotation holding the JSON in-place update state (SPEC 1.4). */
export const PodAnnotationInPlaceUpdateStateKey = `${prefix}inplace-update-state`;

/** State phase while the image of a claim is being rolled in. */
export const InplaceUpdatePhaseStarting = 'starting';
/** State phase while the idle image of a release is being rolled in. */
export const InplaceUpdatePhaseStopping = 'stopping';
/** State phase once kubelet runs the target images. */
export const InplaceUpdatePhaseCompleted = 'completed';

/** Label naming the pool a pod belongs to. */
export const SandboxPoolLabelKey = `${prefix}sandbox-pool`;
/** Label holding the sandbox phase of a pod. */
export const SandboxPhaseLabelKey = `${prefix}sandbox-phase`;
/** Label holding the sandbox id while the pod is claimed. */
export const SandboxIDLabelKey = `${prefix}sandbox-id`;
/** Label naming who claimed the pod. */
export const ManagedByLabelKey = `${prefix}managed-by`;

/** Sandbox phase: warm and claimable. */
export const SandboxPhaseIdle = 'idle';
/** Sandbox phase: claimed, workload image being rolled in. */
export const SandboxPhaseStarting = 'starting';
/** Sandbox phase: workload running. */
export const SandboxPhaseRunning = 'running';
/** Sandbox phase: released, idle image being rolled in. */
export const SandboxPhaseStopping = 'stopping';
/** Sandbox phase: the pod failed. */
export const SandboxPhaseFailed = 'failed';

/** The sandbox phases agentbox writes in the phase label. */
export type SandboxPhase =
  | typeof SandboxPhaseIdle
  | typeof SandboxPhaseStarting
  | typeof SandboxPhaseRunning
  | typeof SandboxPhaseStopping
  | typeof SandboxPhaseFailed;

/** Every sandbox phase, in lifecycle order. */
export const SandboxPhases: readonly SandboxPhase[] = [
  SandboxPhaseIdle,
  SandboxPhaseStarting,
  SandboxPhaseRunning,
  SandboxPhaseStopping,
  SandboxPhaseFailed,
];

/** Annotation: sandbox id of the current claim. */
export const SandboxIDAnnotationKey = `${prefix}sandbox-id`;
/** Annotation: when the pod was claimed (RFC3339, seconds, UTC). */
export const SandboxClaimedAtAnnotationKey = `${prefix}claimed-at`;
/** Annotation: when the workload started running (RFC3339, seconds, UTC). */
export const SandboxStartedAtAnnotationKey = `${prefix}started-at`;
/** Annotation: last activity of the sandbox (RFC3339, seconds, UTC). */
export const SandboxLastActiveAnnotationKey = `${prefix}last-active`;
/** Annotation: idle timeout in integer seconds, as a string. */
export const SandboxIdleTimeoutAnnotationKey = `${prefix}idle-timeout`;
/** Annotation: startup timeout in integer seconds, as a string. */
export const SandboxStartupTimeoutAnnotationKey = `${prefix}startup-timeout`;
/** Annotation: JSON object of strings given at claim time. */
export const SandboxMetadataAnnotationKey = `${prefix}sandbox-metadata`;
/** Annotation: sorted JSON array of the label keys a claim added. */
export const SandboxManagedLabelKeysAnnotationKey = `${prefix}managed-label-keys`;
/** Annotation: sorted JSON array of the annotation keys a claim added. */
export const SandboxManagedAnnotationKeysAnnotationKey = `${prefix}managed-annotation-keys`;
/** Annotation: why the sandbox stopped (`Completed|Canceled|Released|Failed`). */
export const SandboxStopReasonAnnotationKey = `${prefix}stop-reason`;
/** Annotation: when the sandbox was stopped (RFC3339, seconds, UTC). */
export const SandboxTerminatedAtAnnotationKey = `${prefix}terminated-at`;
/** Annotation: machine-readable failure cause (e.g. `OOMKilled`, `StartupTimeout`). */
export const SandboxFailureReasonAnnotationKey = `${prefix}failure-reason`;
/** Annotation: human-readable failure description. */
export const SandboxFailureMessageAnnotationKey = `${prefix}failure-message`;
/** Annotation: exit code of the workload container (decimal string). */
export const SandboxExitCodeAnnotationKey = `${prefix}exit-code`;
/** Annotation: JSON map container → image captured at release time. */
export const SandboxRunningImagesAnnotationKey = `${prefix}running-images`;
/** Annotation: runtime container id captured at release time. */
export const SandboxContainerIDAnnotationKey = `${prefix}container-id`;
/** Annotation: when an idle pod was chosen for scale-down (RFC3339). */
export const SandboxScaleDownProtectedAnnotationKey = `${prefix}scale-down-protected`;
/** Annotation: JSON post-start hook actions requested at claim time. */
export const SandboxPostStartHooksAnnotationKey = `${prefix}post-start-hooks`;

/** Finalizer of a SandboxPool. */
export const SandboxPoolFinalizer = `${prefix}finalizer`;
/** Finalizer of every pool pod, removed after the terminal record is written. */
export const SandboxProtectionFinalizer = `${prefix}sandbox-protection`;

/** Stop reason: the workload completed. */
export const SandboxStopReasonCompleted = 'Completed';
/** Stop reason: stopped before ever running. */
export const SandboxStopReasonCanceled = 'Canceled';
/** Stop reason: released explicitly or by a timeout. */
export const SandboxStopReasonReleased = 'Released';
/** Stop reason: the workload failed (e.g. OOMKilled). */
export const SandboxStopReasonFailed = 'Failed';

/** Why a sandbox was stopped. */
export type SandboxStopReason =
  | typeof SandboxStopReasonCompleted
  | typeof SandboxStopReasonCanceled
  | typeof SandboxStopReasonReleased
  | typeof SandboxStopReasonFailed;

/**
 * Annotations removed in the same write that brings a pod back to idle (SPEC 2.3); the rest,
 * `startup-timeout` included, stays.
 */
export const IdleCleanupAnnotationKeys: readonly string[] = [
  SandboxIDAnnotationKey,
  SandboxClaimedAtAnnotationKey,
  SandboxStartedAtAnnotationKey,
  SandboxMetadataAnnotationKey,
  SandboxStopReasonAnnotationKey,
  SandboxTerminatedAtAnnotationKey,
  SandboxFailureReasonAnnotationKey,
  SandboxFailureMessageAnnotationKey,
  SandboxExitCodeAnnotationKey,
  SandboxRunningImagesAnnotationKey,
  SandboxContainerIDAnnotationKey,
  SandboxPostStartHooksAnnotationKey,
];
