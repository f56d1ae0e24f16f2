// Public surface of the test harness: every name is exported explicitly.

export type { ImageKind, Platform } from './registry/internal/image-builder.js';
export {
  type ProvidedBasicRegistry,
  type ProvidedNoneRegistry,
  type ProvidedRegistries,
  type ProvidedRegistry,
  type ProvidedTokenRegistry,
  provideRegistry,
  registryFromProvided,
} from './registry/provided-registries.js';
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
  type StartRegistryOptions,
  startRegistry,
  type TestRegistry,
  type TestTokenServer,
} from './registry/start-registry.js';
export type { TokenField, TokenRequestRecord } from './registry/token-server.js';
