// Public surface of @agentbox/controller: every name is exported explicitly.

export { type CreatePodClientOptions, createPodClient } from './kube/create-pod-client.js';
export {
  isKubeStatus,
  isNotFoundError,
  KubeApiError,
  type KubeApiErrorDetails,
} from './kube/kube-api-error.js';
export {
  createKubeClient,
  type KubeClient,
  type KubeMethod,
  type KubeRequest,
  type KubeWatchRequest,
  type WatchEvent,
} from './kube/kube-client.js';
export { type KubeClientOptions, resolveKubeClientOptions } from './kube/kube-client-options.js';
export { eventsPath, leasesPath, podsPath, poolsPath, secretsPath } from './kube/kube-paths.js';
export { type Logger, silentLogger } from './observability/logger.js';
export type {
  PoolCondition,
  PoolPodTemplate,
  SandboxPool,
  SandboxPoolSpec,
  SandboxPoolStatus,
} from './pool/sandbox-pool.js';
export { createSandboxClient } from './sandbox/create-sandbox-client.js';
export { pendingReason, summarizeExplanation } from './sandbox/explanation-summary.js';
export { InvalidClaimError } from './sandbox/invalid-claim-error.js';
export { NoIdlePodsInPoolError, type PoolPodCounts } from './sandbox/no-idle-pods-in-pool-error.js';
export { PoolNotFoundError } from './sandbox/pool-not-found-error.js';
export {
  type ReleasePodOptions,
  type ReleasePodResult,
  releasePod,
  releaseUpdate,
} from './sandbox/release-pod.js';
export { type Sandbox, type SandboxRef, sandboxFromPod } from './sandbox/sandbox.js';
export type {
  ClaimOptions,
  ListSandboxesOptions,
  ReleaseOptions,
  SandboxClient,
  SandboxExplanation,
  WaitOptions,
  WaitPhase,
  WaitProgress,
} from './sandbox/sandbox-client.js';
export {
  type ResolvedSandboxClientOptions,
  resolveSandboxClientOptions,
  type SandboxClientOptions,
} from './sandbox/sandbox-client-options.js';
export { SandboxNotFoundError } from './sandbox/sandbox-not-found-error.js';
export { type SandboxStoppedDetails, SandboxStoppedError } from './sandbox/sandbox-stopped-error.js';
export { type WaitTimeoutDetails, WaitTimeoutError } from './sandbox/wait-timeout-error.js';
