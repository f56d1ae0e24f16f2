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
