// Public surface of the test harness: every name is exported explicitly.

export { agentboxCrdDir, agentboxCrdFiles } from './control-plane/agentbox-crd-files.js';
export {
  buildK8sBinaries,
  defaultBuildScript,
  type K8sBinaries,
} from './control-plane/build-k8s-binaries.js';
export { ControlPlaneError, type ControlPlaneErrorCode } from './control-plane/control-plane-error.js';
export { createTestNamespace } from './control-plane/create-test-namespace.js';
export { type InstallCrdsOptions, installCrds } from './control-plane/install-crds.js';
export {
  type ControlPlaneAccess,
  kubeConfigFor,
  kubeconfigYaml,
  type ProvidedControlPlane,
} from './control-plane/kube-config-for.js';
export {
  type ControlPlane,
  type ControlPlaneOptions,
  resolveControlPlaneOptions,
  startControlPlane,
} from './control-plane/start-control-plane.js';
export {
  type ControllerBin,
  controllerBinPath,
  type SpawnControllerBinOptions,
  spawnControllerBin,
} from './controller/spawn-controller-bin.js';
export { freePort, freePorts } from './internal/free-port.js';
export {
  type ContainerRuntime,
  type ImageParts,
  isValidImage,
  type RuntimeFormat,
  runtimeFormat,
  splitImage,
} from './kubelet/container-runtime.js';
export { ImagePullError, type ImagePullErrorCode } from './kubelet/image-pull-error.js';
export { KubeletSimulatorError, type KubeletSimulatorErrorCode } from './kubelet/kubelet-simulator-error.js';
export {
  createRegistryDigestResolver,
  type RegistryDigestResolverOptions,
} from './kubelet/resolve-registry-digest.js';
export {
  type KubeletSimulator,
  type KubeletSimulatorOptions,
  resolveKubeletSimulatorOptions,
  startKubeletSimulator,
} from './kubelet/start-kubelet-simulator.js';
export { startTcpRelay, type TcpRelay } from './network/start-tcp-relay.js';
// The real node (kubelet + containerd) and the images it can run.
export { captureHostState, type HostState } from './node/capture-host-state.js';
export {
  type PushedRunnableImage,
  pushRunnableImage,
  type RunnableApp,
  type RunnableImageSpec,
} from './node/push-runnable-image.js';
export { RealNodeError, type RealNodeErrorCode } from './node/real-node-error.js';
export { type NodeBinder, type NodeBinderOptions, startNodeBinder } from './node/start-node-binder.js';
export {
  holdRealNodeLock,
  type RealNode,
  type RealNodeLock,
  type RealNodeLogs,
  type RealNodeOptions,
  type RealNodeTimings,
  type ResolvedRealNodeOptions,
  realNodeProblems,
  resolveRealNodeOptions,
  startRealNode,
} from './node/start-real-node.js';
export {
  buildGgcrBinaries,
  defaultGgcrBuildScript,
  type GgcrBinaries,
} from './registry/build-ggcr-binaries.js';
export { type ConnectionCounter, startConnectionCounter } from './registry/connection-counter.js';
export {
  type FaultName,
  type FaultProxy,
  type FaultProxyOptions,
  type FaultRequestFilter,
  type ProxiedRequest,
  startFaultProxy,
} from './registry/fault-proxy.js';
export { type ImageKind, MediaTypes, type Platform } from './registry/image-kind.js';
export {
  type ProvidedBasicRegistry,
  type ProvidedNoneRegistry,
  type ProvidedRegistries,
  type ProvidedRegistry,
  type ProvidedTokenRegistry,
  provideRegistry,
  registryFromProvided,
} from './registry/provided-registries.js';
export { pullSecretReaderFor, type TestSecret } from './registry/pull-secret-reader-for.js';
export {
  ALL_MANIFEST_TYPES,
  deleteImage,
  type PushedChild,
  type PushedImage,
  type PushImageSpec,
  pushImage,
  retag,
} from './registry/push-image.js';
export type { RegistryAuth, RegistryCredentials, RegistryHandle } from './registry/registry-handle.js';
export { RegistryHarnessError, type RegistryHarnessErrorCode } from './registry/registry-harness-error.js';
export {
  type CraneRegistry,
  type StartCraneRegistryOptions,
  startCraneRegistry,
} from './registry/start-crane-registry.js';
export {
  type StartRegistryOptions,
  startRegistry,
  type TestRegistry,
  type TestTokenServer,
} from './registry/start-registry.js';
export type { TokenField, TokenRequestRecord } from './registry/token-server.js';
