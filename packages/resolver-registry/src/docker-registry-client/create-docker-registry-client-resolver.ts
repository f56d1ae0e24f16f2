import { setTimeout as delay } from 'node:timers/promises';
import {
  type DigestResolver,
  digestFromImageID,
  parseImageReference,
  type ResolveOptions,
} from '@agentbox/core';
import { DigestMismatchError } from '../errors/digest-mismatch-error.js';
import { ManifestTooLargeError } from '../errors/manifest-too-large-error.js';
import { PlatformNotFoundError } from '../errors/platform-not-found-error.js';
import type { RegistryErrorContext } from '../errors/registry-error.js';
import { RegistryProtocolError } from '../errors/registry-protocol-error.js';
import { RegistryTimeoutError } from '../errors/registry-timeout-error.js';
import { RegistryUnavailableError } from '../errors/registry-unavailable-error.js';
import { digestWithAlgorithmOf, isVerifiableDigest, sha256Digest } from '../internal/content-digest.js';
import { isIndex, type Manifest, manifestSchema, selectPlatform } from '../internal/manifest.js';
import { isLoopbackHost, normalizeRegistryName } from '../internal/registry-host.js';
import { anonymousKeychain } from '../keychain/anonymous-keychain.js';
import { createDockerConfigKeychain } from '../keychain/docker-config-keychain.js';
import { composeKeychains, type Keychain } from '../keychain/keychain.js';
import { createPullSecretKeychain, type SecretReader } from '../keychain/pull-secret-keychain.js';
import {
  DEFAULT_MAX_MANIFEST_BYTES,
  DEFAULT_USER_AGENT,
  type Platform,
} from '../registry-resolver-options.js';
import { parseRetryAfter, withRetry } from '../transport/retry.js';
import {
  type DrcClient,
  type DrcError,
  type DrcResponse,
  loadDockerRegistryClient,
  silentDrcLogger,
} from './docker-registry-client-module.js';
import { errorFromDrc } from './error-from-drc.js';

/** Options of {@link createDockerRegistryClientResolver}; defaults in {@link resolveDockerRegistryClientResolverOptions}. */
export interface DockerRegistryClientResolverOptions {
  /** Where credentials come from (Basic credentials and registry tokens only). Default: pull secrets (with `secretReader`), docker config, anonymous. */
  readonly keychain?: Keychain;
  /** Reads the pod's pull secrets for the default keychain. Default: none. */
  readonly secretReader?: SecretReader;
  /** Registries reached over plain HTTP (loopback hosts always are). Default: none. */
  readonly insecureRegistries?: readonly string[];
  /** Limit of one manifest fetch (including login). Default: 30 000 ms. */
  readonly requestTimeoutMs?: number;
  /** Retries on 429, 5xx and dropped connections. Default: 3. */
  readonly retries?: number;
  /** First back-off delay, doubled per retry. Default: 200 ms. */
  readonly retryBaseDelayMs?: number;
  /** Cap of one back-off delay. Default: 5 000 ms. */
  readonly retryMaxDelayMs?: number;
  /** Longest `Retry-After` honoured. Default: 60 000 ms. */
  readonly maxRetryAfterMs?: number;
  /** Platform picked from an index by `resolveConfigDigest`. Default: linux/amd64. */
  readonly platform?: Platform;
  /** Largest manifest accepted (checked after the module read it). Default: 4 MiB. */
  readonly maxManifestBytes?: number;
  /** The User-Agent header. Default: `agentbox-resolver-registry/0.1.0`. */
  readonly userAgent?: string;
  /** Waits between retries (test seam). Default: a real timer. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Options with every default applied. */
export type ResolvedDockerRegistryClientResolverOptions = Required<
  Omit<DockerRegistryClientResolverOptions, 'secretReader' | 'insecureRegistries'>
> & { readonly insecureRegistries: ReadonlySet<string> };

/** Applies every default of {@link DockerRegistryClientResolverOptions}. */
export function resolveDockerRegistryClientResolverOptions(
  options: DockerRegistryClientResolverOptions = {},
): ResolvedDockerRegistryClientResolverOptions {
  return {
    keychain:
      options.keychain ??
      composeKeychains(
        ...(options.secretReader ? [createPullSecretKeychain({ secretReader: options.secretReader })] : []),
        createDockerConfigKeychain(),
        anonymousKeychain,
      ),
    insecureRegistries: new Set((options.insecureRegistries ?? []).map((r) => normalizeRegistryName(r))),
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    retries: options.retries ?? 3,
    retryBaseDelayMs: options.retryBaseDelayMs ?? 200,
    retryMaxDelayMs: options.retryMaxDelayMs ?? 5_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
    platform: options.platform ?? { os: 'linux', architecture: 'amd64' },
    maxManifestBytes: options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES,
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    sleep: options.sleep ?? ((ms, signal) => delay(ms, undefined, signal ? { signal } : {})),
  };
}

const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * A DigestResolver on `docker-registry-client` 3.4.0, the swappable second backend. Its limits: no HEAD (every
 * lookup is a full manifest GET, which Docker Hub counts as a pull), no mirrors, no identity tokens, no custom
 * CA or proxy, and a wrong password on a token registry can surface as ManifestUnknown (the module turns a 401
 * after login into a 404).
 */
export function createDockerRegistryClientResolver(
  options: DockerRegistryClientResolverOptions = {},
): DigestResolver {
  const resolved = resolveDockerRegistryClientResolverOptions(options);
  const drc = loadDockerRegistryClient();

  /**
   * 1. Credentials from the keychain for the registry.
   * 2. A client for the repository, accepting manifest lists and OCI types (else the module answers 404).
   * 3. GET the manifest with retries; the module logs in by challenge itself.
   * 4. Hash the exact body; it must match the digest it was fetched by or announced with.
   */
  async function getManifest(ref: string, reference: string, opts: ResolveOptions) {
    const parsed = parseImageReference(ref);
    const context: RegistryErrorContext = {
      registry: parsed.registry,
      repository: parsed.repository,
      reference,
    };
    if (reference.includes(':') && !isVerifiableDigest(reference)) {
      throw new RegistryProtocolError(
        'not a digest this resolver can verify (sha256, sha384 or sha512)',
        context,
      );
    }
    const credential = await resolved.keychain.credentialsFor({
      registry: parsed.registry,
      repository: parsed.repository,
      ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
      ...(opts.pullSecrets !== undefined ? { pullSecrets: opts.pullSecrets } : {}),
      ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
    });
    if (credential?.kind === 'identityToken') {
      throw new RegistryProtocolError(
        'identity tokens are not supported by the docker-registry-client backend',
        context,
      );
    }
    const plainHttp = resolved.insecureRegistries.has(parsed.registry) || isLoopbackHost(parsed.registry);
    const fetchOnce = () =>
      new Promise<{ body: string; res: DrcResponse | undefined }>((resolve, reject) => {
        const client: DrcClient = drc.createClientV2({
          name: parsed.name,
          ...(credential?.kind === 'basic'
            ? { username: credential.username, password: credential.password }
            : {}),
          ...(credential?.kind === 'registryToken' ? { token: credential.token } : {}),
          scheme: plainHttp ? 'http' : 'https',
          acceptManifestLists: true,
          maxSchemaVersion: 2,
          userAgent: resolved.userAgent,
          log: silentDrcLogger,
        });
        const stop = (err: Error) => {
          client.close();
          reject(err);
        };
        const timer = setTimeout(
          () => stop(new RegistryTimeoutError(`no answer within ${resolved.requestTimeoutMs} ms`, context)),
          resolved.requestTimeoutMs,
        );
        const onAbort = () => stop(opts.signal?.reason as Error);
        opts.signal?.addEventListener('abort', onAbort, { once: true });
        client.getManifest(
          { ref: reference, acceptManifestLists: true, maxSchemaVersion: 2 },
          (err, _m, res, body) => {
            clearTimeout(timer);
            opts.signal?.removeEventListener('abort', onAbort);
            client.close();
            if (err) reject(errorFromDrc(err as DrcError, res, context));
            else resolve({ body, res });
          },
        );
      });
    opts.signal?.throwIfAborted();
    const { body, res } = await withRetry(
      fetchOnce,
      (outcome) => {
        if ('value' in outcome) return { retry: false };
        const err = outcome.error as { code?: string; status?: number; retryAfter?: string };
        if (!(err instanceof RegistryUnavailableError) && err.code !== 'TooManyRequests')
          return { retry: false };
        const after = parseRetryAfter((err as { retryAfterHeader?: string }).retryAfterHeader, Date.now());
        return after === undefined ? { retry: true } : { retry: true, retryAfterMs: after };
      },
      {
        retries: resolved.retries,
        baseDelayMs: resolved.retryBaseDelayMs,
        maxDelayMs: resolved.retryMaxDelayMs,
        maxRetryAfterMs: resolved.maxRetryAfterMs,
        sleep: resolved.sleep,
        random: Math.random,
        now: Date.now,
      },
      opts.signal ? { signal: opts.signal } : {},
    );
    const bytes = Buffer.from(body, 'utf8');
    if (bytes.length > resolved.maxManifestBytes) {
      throw new ManifestTooLargeError(`body exceeds the ${resolved.maxManifestBytes}-byte bound`, context);
    }
    const announced = res?.headers['docker-content-digest'];
    const expected = reference.includes(':')
      ? reference
      : isVerifiableDigest(announced)
        ? announced
        : undefined;
    const digest = expected === undefined ? sha256Digest(bytes) : digestWithAlgorithmOf(expected, bytes);
    if (expected !== undefined && expected !== digest) {
      throw new DigestMismatchError(`manifest body hashes to ${digest}, expected ${expected}`, context);
    }
    let manifest: Manifest;
    try {
      manifest = manifestSchema.parse(JSON.parse(body));
    } catch {
      throw new RegistryProtocolError('manifest has an unexpected shape', context);
    }
    for (const descriptor of [...(manifest.config ? [manifest.config] : []), ...(manifest.manifests ?? [])]) {
      if (!isVerifiableDigest(descriptor.digest)) {
        throw new RegistryProtocolError(
          `manifest ${digest} has an invalid descriptor digest ${JSON.stringify(String(descriptor.digest).slice(0, 80))}`,
          context,
        );
      }
    }
    const contentType = res?.headers['content-type'];
    return {
      digest,
      manifest,
      contentType: typeof contentType === 'string' ? contentType : undefined,
      context,
    };
  }

  return {
    async resolve(ref, opts = {}) {
      if (typeof ref === 'string' && SHA256_DIGEST.test(ref)) return ref;
      const parsed = parseImageReference(ref);
      if (parsed.digest !== undefined) return parsed.digest;
      // Without a digest the parser always sets a tag (`latest` when none is written).
      return (await getManifest(ref, parsed.tag as string, opts)).digest;
    },

    async resolveConfigDigest(ref, opts = {}) {
      const parsed = parseImageReference(ref);
      let fetched = await getManifest(ref, (parsed.digest ?? parsed.tag) as string, opts);
      for (let depth = 0; depth < 2 && isIndex(fetched.manifest, fetched.contentType); depth++) {
        const child = selectPlatform(fetched.manifest, resolved.platform);
        if (child === undefined) {
          const p = resolved.platform;
          throw new PlatformNotFoundError(
            `index ${fetched.digest} has no manifest for ${p.os}/${p.architecture}`,
            fetched.context,
          );
        }
        fetched = await getManifest(ref, child, opts);
      }
      const config = fetched.manifest.config?.digest;
      if (config === undefined) {
        throw new RegistryProtocolError(
          `manifest ${fetched.digest} has no config descriptor`,
          fetched.context,
        );
      }
      return config;
    },

    digestFromStatus(_image, imageID) {
      return digestFromImageID(imageID);
    },
  };
}
