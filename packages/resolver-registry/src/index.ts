// Public surface of @agentbox/resolver-registry: every name is exported explicitly.

export { createRegistryResolver, type RegistryResolver } from './create-registry-resolver.js';
export { CredentialHelperError } from './errors/credential-helper-error.js';
export { DeniedError } from './errors/denied-error.js';
export { DigestMismatchError } from './errors/digest-mismatch-error.js';
export { InsecureTokenRealmError } from './errors/insecure-token-realm-error.js';
export { InvalidCredentialsConfigError } from './errors/invalid-credentials-config-error.js';
export { ManifestTooLargeError } from './errors/manifest-too-large-error.js';
export { ManifestUnknownError } from './errors/manifest-unknown-error.js';
export { PlainHttpNotAllowedError } from './errors/plain-http-not-allowed-error.js';
export { PlatformNotFoundError } from './errors/platform-not-found-error.js';
export { RegistryError, type RegistryErrorContext } from './errors/registry-error.js';
export { RegistryProtocolError } from './errors/registry-protocol-error.js';
export { RegistryTimeoutError } from './errors/registry-timeout-error.js';
export { RegistryUnavailableError } from './errors/registry-unavailable-error.js';
export { TlsCertificateError } from './errors/tls-certificate-error.js';
export { TokenServerError } from './errors/token-server-error.js';
export { TooManyRequestsError } from './errors/too-many-requests-error.js';
export { UnauthorizedError } from './errors/unauthorized-error.js';
export { anonymousKeychain } from './keychain/anonymous-keychain.js';
export { type CredentialHelperOptions, runCredentialHelper } from './keychain/credential-helper.js';
export {
  createDockerConfigKeychain,
  type DockerConfigKeychainOptions,
} from './keychain/docker-config-keychain.js';
export {
  type Credential,
  type CredentialRequest,
  composeKeychains,
  type Keychain,
} from './keychain/keychain.js';
export {
  createPullSecretKeychain,
  type PullSecret,
  type PullSecretKeychainOptions,
  type SecretReader,
} from './keychain/pull-secret-keychain.js';
export { createStaticKeychain } from './keychain/static-keychain.js';
export { MANIFEST_ACCEPT, MEDIA_TYPES } from './manifest-media-types.js';
export {
  DEFAULT_MAX_MANIFEST_BYTES,
  DEFAULT_USER_AGENT,
  type Platform,
  type ProxySettings,
  type RegistryResolverEvent,
  type RegistryResolverOptions,
  type ResolvedRegistryResolverOptions,
  resolveRegistryResolverOptions,
} from './registry-resolver-options.js';
export { type Challenge, parseChallenges } from './transport/challenge.js';
