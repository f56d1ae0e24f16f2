// Public surface of @agentbox/controller: every name is exported explicitly.

export {
  addControllerFlags,
  type ControllerFlags,
  controllerOptionsFromFlags,
  createControllerCommand,
  InvalidControllerFlagsError,
  loadControllerKubeConfig,
  runControllerCli,
} from './bin/controller-command.js';
export {
  type ControllerOptions,
  type ResolvedControllerOptions,
  resolveControllerOptions,
} from './controller-options.js';
export { type BindAddress, InvalidBindAddressError, parseBindAddress } from './health/parse-bind-address.js';
export { createInformer, objectKey } from './informer/create-informer.js';
export {
  createPodInformer,
  type PodInformerOptions,
  PodPoolIndex,
  poolKeyOfPod,
} from './informer/create-pod-informer.js';
export { createPoolInformer, type PoolInformerOptions } from './informer/create-pool-informer.js';
export type {
  Informer,
  InformerEventType,
  InformerHandler,
  InformerOptions,
} from './informer/informer.js';
export { type ResolvedInformerOptions, resolveInformerOptions } from './informer/informer-options.js';
export { trimPod } from './informer/trim-pod.js';
export { trimPool } from './informer/trim-pool.js';
export { type CreatePodClientOptions, createPodClient } from './kube/create-pod-client.js';
export {
  isKubeStatus,
  isNotFoundError,
  KubeApiError,
  type KubeApiErrorDetails,
  kubeApiErrorFromResponse,
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
export { clientNodeKubeConfig, kubeConfigLike, needsClientNode } from './kube/kube-config-like.js';
export { eventsPath, leasesPath, podsPath, poolsPath, secretsPath } from './kube/kube-paths.js';
export { kubeQueryString } from './kube/kube-query-string.js';
export { KubeconfigInvalidError } from './kube/kubeconfig-invalid-error.js';
export { loadKubeConfig } from './kube/load-kube-config.js';
export {
  type KubeconfigCluster,
  type KubeconfigUser,
  type LoadKubeConfigOptions,
  type ResolvedKubeConfig,
  resolveKubeConfig,
} from './kube/resolve-kube-config.js';
export {
  createLeaderElector,
  type LeaderElector,
  type LeaderElectorOptions,
} from './leader/create-leader-elector.js';
export { fenceWrites, NotLeaderError } from './leader/fence-writes.js';
export {
  InvalidLeaderElectionOptionsError,
  type LeaderElectionOptions,
  type ResolvedLeaderElectionOptions,
  resolveLeaderElectionOptions,
} from './leader/leader-election-options.js';
export type { ControllerMetrics, MeasuredTransition } from './observability/controller-metrics.js';
export {
  type ControllerMetricsOptions,
  createControllerMetrics,
  type PrometheusControllerMetrics,
} from './observability/create-controller-metrics.js';
export { createEventRecorder, type EventRecorderOptions } from './observability/create-event-recorder.js';
export { type CreateLoggerOptions, createLogger } from './observability/create-logger.js';
export type { EventObjectRef, EventRecorder } from './observability/event-recorder.js';
export { type Logger, silentLogger } from './observability/logger.js';
export { computePoolStatus, type PoolProblem, type PoolStatusInput } from './pool/compute-pool-status.js';
export {
  createPoolReconciler,
  type PoolReconciler,
  type PoolReconcilerDeps,
} from './pool/create-pool-reconciler.js';
export {
  type PoolReconcilerOptions,
  type ResolvedPoolReconcilerOptions,
  resolvePoolReconcilerOptions,
} from './pool/pool-reconciler-options.js';
export type {
  PoolCondition,
  PoolPodTemplate,
  SandboxPool,
  SandboxPoolSpec,
  SandboxPoolStatus,
} from './pool/sandbox-pool.js';
export { type TemplateHash, templateHashOf } from './pool/template-hash.js';
export { TemplateHashLabelKey } from './pool/template-hash-label.js';
export { createWorkQueue } from './queue/create-work-queue.js';
export {
  createExponentialBackoffLimiter,
  type ExponentialBackoffLimiterOptions,
} from './queue/exponential-backoff-limiter.js';
export { maxOfLimiters } from './queue/max-of-limiters.js';
export type { RateLimiter } from './queue/rate-limiter.js';
export { type ReconcileResult, type RunWorkersOptions, runWorkers } from './queue/run-workers.js';
export { systemTimers, type TimerHandle, type Timers } from './queue/timers.js';
export { createTokenBucketLimiter, type TokenBucketLimiterOptions } from './queue/token-bucket-limiter.js';
export type { WorkQueue } from './queue/work-queue.js';
export {
  type ResolvedWorkQueueOptions,
  resolveWorkQueueOptions,
  type WorkQueueOptions,
} from './queue/work-queue-options.js';
export {
  createDefaultResolver,
  type DefaultResolver,
  type DefaultResolverOptions,
  type ResolverBackend,
} from './resolver/create-default-resolver.js';
export { createSecretReader, type SecretReaderOptions } from './resolver/create-secret-reader.js';
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
export { type RunningController, startController } from './start-controller.js';
