export type { SandboxPhase, SandboxStopReason } from './constants.js';
export {
  IdleCleanupAnnotationKeys,
  InplaceUpdatePhaseCompleted,
  InplaceUpdatePhaseStarting,
  InplaceUpdatePhaseStopping,
  ManagedByLabelKey,
  PodAnnotationInPlaceUpdateStateKey,
  SandboxClaimedAtAnnotationKey,
  SandboxContainerIDAnnotationKey,
  SandboxExitCodeAnnotationKey,
  SandboxFailureMessageAnnotationKey,
  SandboxFailureReasonAnnotationKey,
  SandboxIDAnnotationKey,
  SandboxIDLabelKey,
  SandboxIdleTimeoutAnnotationKey,
  SandboxLastActiveAnnotationKey,
  SandboxManagedAnnotationKeysAnnotationKey,
  SandboxManagedLabelKeysAnnotationKey,
  SandboxMetadataAnnotationKey,
  SandboxPhaseFailed,
  SandboxPhaseIdle,
  SandboxPhaseLabelKey,
  SandboxPhaseRunning,
  SandboxPhaseStarting,
  SandboxPhaseStopping,
  SandboxPhases,
  SandboxPoolFinalizer,
  SandboxPoolGroup,
  SandboxPoolKind,
  SandboxPoolLabelKey,
  SandboxPoolPlural,
  SandboxPoolVersion,
  SandboxPostStartHooksAnnotationKey,
  SandboxProtectionFinalizer,
  SandboxRunningImagesAnnotationKey,
  SandboxScaleDownProtectedAnnotationKey,
  SandboxStartedAtAnnotationKey,
  SandboxStartupTimeoutAnnotationKey,
  SandboxStopReasonAnnotationKey,
  SandboxStopReasonCanceled,
  SandboxStopReasonCompleted,
  SandboxStopReasonFailed,
  SandboxStopReasonReleased,
  SandboxTerminatedAtAnnotationKey,
} from './constants.js';
export type { AgentboxErrorOptions } from './errors/agentbox-error.js';
export { AgentboxError, hasErrorCode } from './errors/agentbox-error.js';
export { ContainerNotFoundError } from './errors/container-not-found-error.js';
export { InvalidReferenceError } from './errors/invalid-reference-error.js';
export { InvalidStateError } from './errors/invalid-state-error.js';
export { NoContainersError } from './errors/no-containers-error.js';
export { NoIdlePodsAvailableError } from './errors/no-idle-pods-available-error.js';
export { TargetImageRequiredError } from './errors/target-image-required-error.js';
export { UnexpectedPodPhaseError } from './errors/unexpected-pod-phase-error.js';
export { explainUpdate } from './explain-update.js';
export type { PodPhaseDuration } from './get-pod-phase-duration.js';
export { getPodPhaseDuration } from './get-pod-phase-duration.js';
export type { PodPhaseSince } from './get-pod-phase-since.js';
export { getPodPhaseSince } from './get-pod-phase-since.js';
export { getSandboxPhase } from './get-sandbox-phase.js';
export { hasUnexpectedRestart } from './has-unexpected-restart.js';
export { digestFromImageID } from './image/digest-from-image-id.js';
export type { FormatImageReferenceOptions } from './image/format-image-reference.js';
export { formatImageReference } from './image/format-image-reference.js';
export { normalizeImage } from './image/normalize-image.js';
export type { ImageReference } from './image/parse-image-reference.js';
export { parseImageReference } from './image/parse-image-reference.js';
export { isConflictError } from './is-conflict-error.js';
export { isInplaceUpdateCompleted } from './is-inplace-update-completed.js';
export { markUpdateCompleted } from './mark-update-completed.js';
export type { Clock } from './ports/clock.js';
export { systemClock } from './ports/clock.js';
export type { CoreDeps } from './ports/core-deps.js';
export type { DigestResolver, ResolveOptions } from './ports/digest-resolver.js';
export type {
  Pod,
  PodContainer,
  PodContainerState,
  PodContainerStateRunning,
  PodContainerStateTerminated,
  PodContainerStateWaiting,
  PodContainerStatus,
  PodLocalObjectReference,
  PodMetadata,
  PodSpec,
  PodStatus,
  Timestamp,
} from './ports/pod.js';
export type { PodClient } from './ports/pod-client.js';
export { getInplaceUpdateState, getPodInPlaceUpdateState } from './state/get-inplace-update-state.js';
export type {
  InplaceUpdateContainerStatus,
  InplaceUpdatePhase,
  InplaceUpdateState,
  StableContainerStatus,
} from './state/inplace-update-state.js';
export { parseInplaceUpdateState } from './state/parse-inplace-update-state.js';
export { serializeInplaceUpdateState } from './state/serialize-inplace-update-state.js';
export { triggerUpdateWithOptions } from './trigger-update-with-options.js';
export type {
  ContainerUpdateExplanation,
  UpdateExplanation,
  UpdatePendingReason,
} from './update-explanation.js';
export type { ResolvedUpdateOptions, UpdateOptions } from './update-options.js';
export { resolveUpdateOptions } from './update-options.js';
export { withUpdateCompleted } from './with-update-completed.js';
