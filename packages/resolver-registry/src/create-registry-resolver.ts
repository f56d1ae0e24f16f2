import {
  type DigestResolver,
  digestFromImageID,
  parseImageReference,
  type ResolveOptions,
} from '@agentbox/core';
import { DigestMismatchError } from './errors/digest-mismatch-error.js';
import { PlatformNotFoundError } from './errors/platform-not-found-error.js';
import { RegistryError, type RegistryErrorContext } from './errors/registry-error.js';
import { RegistryProtocolError } from './errors/registry-protocol-error.js';
import { buildDispatcher } from './internal/build-dispatcher.js';
import { digestWithAlgorithmOf, isVerifiableDigest, sha256Digest } from './internal/content-digest.js';
import { EndpointSchemes } from './internal/endpoint-schemes.js';
import type { HttpSettings } from './internal/http-request.js';
import { isIndex, type Manifest, manifestSchema, selectPlatform } from './internal/manifest.js';
import { type RegistryEndpoint, registryEndpoint } from './internal/registry-host.js';
import { RegistrySession, type SessionCall } from './internal/registry-session.js';
import { MANIFEST_ACCEPT } from './manifest-media-types.js';
import {
  type RegistryResolverOptions,
  type ResolvedRegistryResolverOptions,
  resolveRegistryResolverOptions,
} from './registry-resolver-options.js';

/** A DigestResolver over the OCI distribution API that owns an HTTP connection pool. */
export interface RegistryResolver extends DigestResolver {
  /**
   * Closes the connection pool the resolver built (a dispatcher passed in options is left open); lookups after it
   * fail. Call it once when shutting down.
   */
  close(): Promise<void>;
}

const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * Creates a DigestResolver that asks registries for manifest digests with HEAD requests over kept-alive
 * connections, authenticating by challenge with credentials from the keychain, through mirrors, with timeouts
 * and retries.
 */
export function createRegistryResolver(options: RegistryResolverOptions = {}): RegistryResolver {
  const resolved = resolveRegistryResolverOptions(options);
  const pool = buildDispatcher(resolved);
  const http: HttpSettings = {
    dispatcher: pool.dispatcher,
    redirecting: pool.redirecting,
    timeoutMs: resolved.requestTimeoutMs,
    userAgent: resolved.userAgent,
  };
  const session = new RegistrySession(resolved, http);
  const schemes = new EndpointSchemes(http);
  // Endpoints (base URLs) that answered HEAD with 405: later lookups there GET at once instead of paying a
  // rejected HEAD every time. Bounded by the registries and mirrors this resolver talks to.
  const headRejected = new Set<string>();
  return {
    /**
     * 1. A reference with a digest short-circuits (no network).
     * 2. Endpoints: the registry's mirrors in order, then the upstream.
     * 3. HEAD the manifest with the Accept set of SPEC 3 (an index stays an index).
     * 4. Authentication happens inside the session (challenge → keychain → Basic/Bearer → retry once).
     * 5. Digest from `Docker-Content-Digest`; without it, GET and sha256 the (bounded) body. A HEAD answered
     *    405 Method Not Allowed (some mirrors and proxies) is replaced by that GET, now and for later lookups.
     * 6. Errors arrive mapped (Unauthorized, ManifestUnknown, …); a failing mirror falls through to the next.
     */
    async resolve(ref, opts = {}) {
      if (typeof ref === 'string' && SHA256_DIGEST.test(ref)) return ref;
      const parsed = parseImageReference(ref);
      if (parsed.digest !== undefined) return parsed.digest;
      // Without a digest the parser always sets a tag (`latest` when none is written).
      const tag = parsed.tag as string;
      return withEndpoints(resolved, schemes, parsed, opts, async (endpoint) => {
        const call = sessionCall(parsed.repository, tag, opts);
        const path = manifestPath(parsed.repository, tag);
        if (!headRejected.has(endpoint.baseUrl)) {
          try {
            const head = await session.request(endpoint, 'HEAD', path, MANIFEST_ACCEPT, call);
            const announced = head.header('docker-content-digest');
            if (isVerifiableDigest(announced)) return announced;
          } catch (err) {
            if (!(err instanceof RegistryProtocolError && err.status === 405)) throw err;
            headRejected.add(endpoint.baseUrl);
          }
        }
        return (await fetchManifest(session, resolved, endpoint, call, tag)).digest;
      });
    },

    /** GET the manifest (for an index: the platform child's manifest, verified by digest) and return its config digest. */
    async resolveConfigDigest(ref, opts = {}) {
      const parsed = parseImageReference(ref);
      const reference = (parsed.digest ?? parsed.tag) as string;
      return withEndpoints(resolved, schemes, parsed, opts, async (endpoint) => {
        const call = sessionCall(parsed.repository, reference, opts);
        let fetched = await fetchManifest(session, resolved, endpoint, call, reference);
        // An index may (rarely) point at another index; two levels cover every real image.
        for (let depth = 0; depth < 2 && isIndex(fetched.manifest, fetched.contentType); depth++) {
          const child = selectPlatform(fetched.manifest, resolved.platform);
          if (child === undefined) {
            const p = resolved.platform;
            throw new PlatformNotFoundError(
              `index ${fetched.digest} has no manifest for ${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`,
              call.reference !== undefined
                ? { registry: endpoint.registry, repository: parsed.repository, reference: call.reference }
                : { registry: endpoint.registry, repository: parsed.repository },
            );
          }
          fetched = await fetchManifest(session, resolved, endpoint, { ...call, reference: child }, child);
        }
        const config = fetched.manifest.config?.digest;
        if (config === undefined || isIndex(fetched.manifest, fetched.contentType)) {
          throw new RegistryProtocolError(`manifest ${fetched.digest} has no config descriptor`, {
            registry: endpoint.registry,
            repository: parsed.repository,
            reference,
          });
        }
        return config;
      });
    },

    digestFromStatus(_image, imageID) {
      return digestFromImageID(imageID);
    },

    close: () => pool.close(),
  };
}

function manifestPath(repository: string, reference: string): string {
  return `/v2/${repository}/manifests/${reference}`;
}

function sessionCall(repository: string, reference: string, opts: ResolveOptions): SessionCall {
  return {
    repository,
    reference,
    ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
    ...(opts.pullSecrets !== undefined ? { pullSecrets: opts.pullSecrets } : {}),
    ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
  };
}

/**
 * Tries the registry's mirrors in order, then the upstream; the upstream's error is the one reported. A loopback
 * endpoint learns its scheme (https or plain HTTP) first. Each mirror failure is told to `onEvent`; when the
 * upstream fails too, its error's `cause` becomes an AggregateError of the mirrors' errors (whose own `cause` is
 * the upstream error's original cause), so no endpoint's failure is lost.
 */
async function withEndpoints<T>(
  options: ResolvedRegistryResolverOptions,
  schemes: EndpointSchemes,
  ref: { readonly registry: string; readonly repository: string },
  opts: ResolveOptions,
  attempt: (endpoint: RegistryEndpoint) => Promise<T>,
): Promise<T> {
  const settled = async (name: string) =>
    attempt(
      await schemes.settle(registryEndpoint(name, options.insecureRegistries), ref.repository, opts.signal),
    );
  const mirrors = options.mirrors.get(ref.registry);
  if (mirrors === undefined) return settled(ref.registry);
  const failures: unknown[] = [];
  for (const mirror of mirrors) {
    try {
      return await settled(mirror);
    } catch (err) {
      // A caller's abort stops everything; any mirror failure falls through to the next endpoint.
      if (opts.signal?.aborted) throw err;
      failures.push(err);
      options.onEvent?.({
        type: 'mirrorFailed',
        mirror: err instanceof RegistryError ? err.registry : mirror,
        registry: ref.registry,
        repository: ref.repository,
        error: err,
      });
    }
  }
  try {
    return await settled(ref.registry);
  } catch (err) {
    if (failures.length > 0 && err instanceof Error && !opts.signal?.aborted) {
      const aggregate = new AggregateError(failures, `every mirror of ${ref.registry} failed first`, {
        cause: err.cause,
      });
      Object.defineProperty(err, 'cause', { value: aggregate, configurable: true, writable: true });
    }
    throw err;
  }
}

/** A manifest fetched and verified: its digest (of the exact bytes), parsed fields and media type. */
interface FetchedManifest {
  readonly digest: string;
  readonly manifest: Manifest;
  readonly contentType: string | undefined;
}

/**
 * GETs a manifest (bounded), hashes the exact bytes, and checks them against the digest it was fetched by (with
 * that digest's algorithm) and against a `Docker-Content-Digest` the registry announced. Every descriptor digest
 * in it must follow the digest grammar with a verifiable algorithm before anything uses it.
 */
async function fetchManifest(
  session: RegistrySession,
  options: ResolvedRegistryResolverOptions,
  endpoint: RegistryEndpoint,
  call: SessionCall,
  reference: string,
): Promise<FetchedManifest> {
  const context: RegistryErrorContext = {
    registry: endpoint.registry,
    repository: call.repository,
    reference,
  };
  const byDigest = reference.includes(':');
  if (byDigest && !isVerifiableDigest(reference)) {
    throw new RegistryProtocolError(
      'not a digest this resolver can verify (sha256, sha384 or sha512)',
      context,
    );
  }
  const res = await session.request(
    endpoint,
    'GET',
    manifestPath(call.repository, reference),
    MANIFEST_ACCEPT,
    call,
    options.maxManifestBytes,
  );
  const body = res.body;
  const announced = res.header('docker-content-digest');
  const expected = byDigest ? reference : isVerifiableDigest(announced) ? announced : undefined;
  const digest = expected === undefined ? sha256Digest(body) : digestWithAlgorithmOf(expected, body);
  if (expected !== undefined && expected !== digest) {
    throw new DigestMismatchError(`manifest body hashes to ${digest}, expected ${expected}`, {
      ...context,
      status: res.status,
    });
  }
  if (byDigest && announced !== undefined && announced !== reference && isVerifiableDigest(announced)) {
    // Same bytes, another algorithm: the announced digest must match them as well.
    const other = digestWithAlgorithmOf(announced, body);
    if (other !== announced) {
      throw new DigestMismatchError(`manifest body hashes to ${other}, announced ${announced}`, {
        ...context,
        status: res.status,
      });
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new RegistryProtocolError('manifest is not JSON', { ...context, status: res.status });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success)
    throw new RegistryProtocolError('manifest has an unexpected shape', { ...context, status: res.status });
  const manifest = parsed.data;
  const descriptors = [...(manifest.config ? [manifest.config] : []), ...(manifest.manifests ?? [])];
  for (const descriptor of descriptors) {
    if (!isVerifiableDigest(descriptor.digest)) {
      throw new RegistryProtocolError(
        `manifest ${digest} has an invalid descriptor digest ${JSON.stringify(String(descriptor.digest).slice(0, 80))}`,
        { ...context, status: res.status },
      );
    }
  }
  // Verified above: the digest it was fetched by or announced with (any verifiable algorithm), else its sha256.
  return { digest, manifest, contentType: res.header('content-type') };
}
