/** Credentials for one registry: a user and password, or a token issued for it. */
export type Credential =
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  /** An OAuth2 refresh token (`identitytoken` in docker config), exchanged at the token realm. */
  | { readonly kind: 'identityToken'; readonly username?: string; readonly token: string }
  /** A bearer token sent to the registry as is (`registrytoken` in docker config). */
  | { readonly kind: 'registryToken'; readonly token: string };

/** What a keychain is asked for: the registry (normalised, `docker.io` for Hub) and the pod's context. */
export interface CredentialRequest {
  /** Normalised registry name (`docker.io` for every Docker Hub alias, else `host[:port]`). */
  readonly registry: string;
  /** Repository path inside the registry (`library/ubuntu`). */
  readonly repository: string;
  /** Namespace of the pod the image is for, when pull secrets apply. */
  readonly namespace?: string;
  /** Names of the pod's image pull secrets, in the pod's order. */
  readonly pullSecrets?: readonly string[];
  /** Cancels a slow lookup (credential helper, secret read). */
  readonly signal?: AbortSignal;
}

/** A source of registry credentials; `undefined` means "none here, ask the next one". */
export interface Keychain {
  /** Returns credentials for the request's registry, or `undefined` when this source has none. */
  credentialsFor(request: CredentialRequest): Promise<Credential | undefined>;
}

/** Chains keychains: the first one that returns credentials wins (go-containerregistry's multi-keychain). */
export function composeKeychains(...keychains: readonly Keychain[]): Keychain {
  return {
    async credentialsFor(request) {
      for (const keychain of keychains) {
        const found = await keychain.credentialsFor(request);
        if (found !== undefined) return found;
      }
      return undefined;
    },
  };
}

/** The secret parts of a credential, so error text can be scrubbed of them. */
export function secretsOf(credential: Credential | undefined): string[] {
  if (credential === undefined) return [];
  return credential.kind === 'basic' ? [credential.password] : [credential.token];
}
