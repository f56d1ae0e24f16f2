import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { rootCertificates } from 'node:tls';
import { type Clock, systemClock } from '@agentbox/core';
import type { Dispatcher } from 'undici';
import { normalizeRegistryName, registryEndpoint } from './internal/registry-host.js';
import { anonymousKeychain } from './keychain/anonymous-keychain.js';
import { createDockerConfigKeychain } from './keychain/docker-config-keychain.js';
import { composeKeychains, type Keychain } from './keychain/keychain.js';
import { createPullSecretKeychain, type SecretReader } from './keychain/pull-secret-keychain.js';

/** The platform whose image an index is narrowed to by `resolveConfigDigest`. */
export interface Platform {
  /** e.g. `linux`. */
  readonly os: string;
  /** e.g. `amd64`, `arm64`. */
  readonly architecture: string;
  /** e.g. `v8` for arm64; matched only when given. */
  readonly variant?: string;
}

/** Proxy settings; the same meaning as the `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY` variables. */
export interface ProxySettings {
  readonly httpProxy?: string;
  readonly httpsProxy?: string;
  readonly noProxy?: string;
}

/** Options of `createRegistryResolver`; every default lives in {@link resolveRegistryResolverOptions}. */
export interface RegistryResolverOptions {
  /** Where credentials come from. Default: pull secrets (when `secretReader` is set), then the docker config, then anonymous. */
  readonly keychain?: Keychain;
  /** Reads the pod's pull secrets for the default keychain. Default: none (pull secrets are not consulted). */
  readonly secretReader?: SecretReader;
  /** Mirrors per registry (`docker.io` → [`https://mirror.example`]), tried in order before the upstream. Default: none. */
  readonly mirrors?: Readonly<Record<string, readonly string[]>>;
  /** Registries reached over plain HTTP (loopback hosts always may be). Default: none. */
  readonly insecureRegistries?: readonly string[];
  /** Extra PEM CA certificates trusted besides Node's roots. Default: none. */
  readonly caCertificates?: readonly (string | Buffer)[];
  /** Limit of each HTTP request (headers and body). Default: 30 000 ms. */
  readonly requestTimeoutMs?: number;
  /** Retries of one request on 429, 5xx and dropped connections. Default: 3. */
  readonly retries?: number;
  /** First back-off delay, doubled each retry, with equal jitter (half fixed, half random). Default: 200 ms. */
  readonly retryBaseDelayMs?: number;
  /** Cap of one back-off delay. Default: 5 000 ms. */
  readonly retryMaxDelayMs?: number;
  /** Longest `Retry-After` honoured; a longer one fails at once with TooManyRequests. Default: 60 000 ms. */
  readonly maxRetryAfterMs?: number;
  /** Proxy settings, or `false` for none. Default: `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY` (either case) of `env`. */
  readonly proxy?: ProxySettings | false;
  /** The User-Agent header. Default: `agentbox-resolver-registry/0.1.0`. */
  readonly userAgent?: string;
  /** The undici dispatcher (test seam); when given, `caCertificates`, `proxy` and `maxConnectionsPerOrigin` are ignored. Default: one built from them. */
  readonly dispatcher?: Dispatcher;
  /** Most connections kept open to one registry (origin); requests beyond it wait for a free one. Default: 32. */
  readonly maxConnectionsPerOrigin?: number;
  /** Told of what the resolver recovered from on its own (a failing mirror), for logs. Default: none. */
  readonly onEvent?: (event: RegistryResolverEvent) => void;
  /** Platform `resolveConfigDigest` picks from an index. Default: linux/amd64. */
  readonly platform?: Platform;
  /** Largest manifest read. Default: 4 MiB. */
  readonly maxManifestBytes?: number;
  /** Environment read for proxies, the docker config location and credential helpers. Default: `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Clock for token expiry. Default: the system clock. */
  readonly clock?: Clock;
  /** Waits between retries (test seam). Default: a timer that honours the signal. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Source of jitter in [0, 1) (test seam). Default: `Math.random`. */
  readonly random?: () => number;
}

/** Something the resolver recovered from on its own, for a logger: a mirror failed and the next endpoint was tried. */
export interface RegistryResolverEvent {
  readonly type: 'mirrorFailed';
  /** The mirror's registry name (`host[:port]`). */
  readonly mirror: string;
  /** The image's registry the mirror stands in for. */
  readonly registry: string;
  readonly repository: string;
  /** Why the mirror failed (a RegistryError; never carries credentials). */
  readonly error: unknown;
}

/** Options with every default applied. */
export interface ResolvedRegistryResolverOptions {
  readonly keychain: Keychain;
  readonly mirrors: ReadonlyMap<string, readonly string[]>;
  readonly insecureRegistries: ReadonlySet<string>;
  readonly requestTimeoutMs: number;
  readonly retries: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly maxRetryAfterMs: number;
  readonly userAgent: string;
  /** The caller's dispatcher; `undefined`: the resolver builds (and closes) its own from the fields below. */
  readonly dispatcher: Dispatcher | undefined;
  /** Node's root CAs plus `caCertificates`, or `undefined` for Node's defaults. */
  readonly ca: readonly (string | Buffer)[] | undefined;
  /** The proxy in force (explicit, or from `env`), or `undefined` for none. */
  readonly proxy: ProxySettings | undefined;
  readonly maxConnectionsPerOrigin: number;
  readonly onEvent: ((event: RegistryResolverEvent) => void) | undefined;
  readonly platform: Platform;
  readonly maxManifestBytes: number;
  readonly clock: Clock;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random: () => number;
}

/** Default largest manifest: 4 MiB, the bound containerd and Distribution use. */
export const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** Default user agent: `agentbox-resolver-registry/<this package's version>`. */
export const DEFAULT_USER_AGENT = `agentbox-resolver-registry/${
  // This file sits one level below the package root both as src/ and as dist/, so a version bump is
  // never left behind.
  (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string })
    .version
}`;

/** Applies every default of {@link RegistryResolverOptions} (the only place defaults live). */
export function resolveRegistryResolverOptions(
  options: RegistryResolverOptions = {},
): ResolvedRegistryResolverOptions {
  const env = options.env ?? process.env;
  const keychain =
    options.keychain ??
    composeKeychains(
      ...(options.secretReader ? [createPullSecretKeychain({ secretReader: options.secretReader })] : []),
      createDockerConfigKeychain({ env }),
      anonymousKeychain,
    );
  const mirrors = new Map<string, readonly string[]>();
  const insecureRegistries = new Set((options.insecureRegistries ?? []).map((r) => normalizeRegistryName(r)));
  for (const [registry, list] of Object.entries(options.mirrors ?? {})) {
    // Building each endpoint now rejects a plain-HTTP mirror that is neither insecure nor loopback at once.
    for (const mirror of list) registryEndpoint(mirror, insecureRegistries);
    mirrors.set(normalizeRegistryName(registry), [...list]);
  }
  const proxy = options.proxy === false ? undefined : (options.proxy ?? proxyFromEnv(env));
  const ca = options.caCertificates?.length ? [...rootCertificates, ...options.caCertificates] : undefined;
  return {
    keychain,
    mirrors,
    insecureRegistries,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    retries: options.retries ?? 3,
    retryBaseDelayMs: options.retryBaseDelayMs ?? 200,
    retryMaxDelayMs: options.retryMaxDelayMs ?? 5_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    dispatcher: options.dispatcher,
    ca,
    proxy: proxy && (proxy.httpProxy || proxy.httpsProxy) ? proxy : undefined,
    maxConnectionsPerOrigin: options.maxConnectionsPerOrigin ?? 32,
    onEvent: options.onEvent,
    platform: options.platform ?? { os: 'linux', architecture: 'amd64' },
    maxManifestBytes: options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES,
    clock: options.clock ?? systemClock,
    sleep: options.sleep ?? ((ms, signal) => delay(ms, undefined, signal ? { signal } : {})),
    random: options.random ?? Math.random,
  };
}

/** Reads proxy variables the way curl and undici do (lower case wins). */
function proxyFromEnv(env: NodeJS.ProcessEnv): ProxySettings | undefined {
  const httpProxy = env.http_proxy ?? env.HTTP_PROXY;
  const httpsProxy = env.https_proxy ?? env.HTTPS_PROXY;
  const noProxy = env.no_proxy ?? env.NO_PROXY;
  if (!httpProxy && !httpsProxy) return undefined;
  return {
    ...(httpProxy ? { httpProxy } : {}),
    ...(httpsProxy ? { httpsProxy } : {}),
    ...(noProxy ? { noProxy } : {}),
  };
}
