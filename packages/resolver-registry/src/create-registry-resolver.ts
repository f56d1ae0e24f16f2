import { createHash } from 'node:crypto';
import {
  type DigestResolver,
  digestFromImageID,
  parseImageReference,
  type ResolveOptions,
} from '@agentbox/core';
import { DigestMismatchError } from './errors/digest-mismatch-error.js';
import { PlatformNotFoundError } from './errors/platform-not-found-error.js';
import type { RegistryErrorContext } from './errors/registry-error.js';
import { RegistryProtocolError } from './errors/registry-protocol-error.js';
import { EndpointSchemes } from './internal/endpoint-schemes.js';
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
  /** Closes the connection pool the resolver built (a dispatcher passed in options is left open). */
  close(): Promise<void>;
}

const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * Creates a DigestResolver that asks registries for manifest digests with HEAD requests, authenticating
 * by challenge with credentials from the keychain, through mirrors, with timeouts and retries.
 */
export function createRegistryResolver(options: RegistryResolverOptions = {}): RegistryResolver {
  const resolved = resolveRegistryResolverOptions(options);
  const session = new RegistrySession(resolved);
  const schemes = new EndpointSchemes({
    dispatcher: resolved.dispatcher,
    timeoutMs: resolved.requestTimeoutMs,
    userAgent: resolved.userAgent,
  });
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
      const tag = parsed.tag ?? 'latest';
      return withEndpoints(resolved, schemes, parsed, opts, async (endpoint) => {
        const call = sessionCall(parsed.repository, opts);
        const path = manifestPath(parsed.repository, tag);
        if (!headRejected.has(endpoint.baseUrl)) {
          try {
            const head = await session.request(endpoint, 'HEAD', path, { accept: MANIFEST_ACCEPT }, call);
            await head.dump();
            const announced = head.header('docker-content-digest');
            if (announced !== undefined && SHA256_DIGEST.test(announced)) return announced;
          } catch (err) {
            if (!(err instanceof RegistryProtocolError && err.status === 405)) throw err;
            headRejected.add(endpoint.baseUrl);
          }
        }
        return (await fetchManifest(session, resolved, endpoint, parsed.repository, tag, call)).digest;
      });
    },

    /** GET the manifest (for an index: the platform child's manifest, verified by digest) and return its config digest. */
    async resolveConfigDigest(ref, opts = {}) {
      const parsed = parseImageReference(ref);
      const reference = parsed.digest ?? parsed.tag ?? 'latest';
      return withEndpoints(resolved, schemes, parsed, opts, async (endpoint) => {
        const call = sessionCall(parsed.repository, opts);
        let fetched = await fetchManifest(session, resolved, endpoint, parsed.repository, reference, call);
        // An index may (rarely) point at another index; two levels cover every real image.
        for (let depth = 0; depth < 2 && isIndex(fetched.manifest, fetched.contentType); depth++) {
          const child = selectPlatform(fetched.manifest, resolved.platform);
          if (child === undefined) {
            const p = resolved.platform;
            throw new PlatformNotFoundError(
              `index ${fetched.digest} has no manifest for ${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`,
              { registry: endpoint.registry, repository: parsed.repository },
            );
          }
          fetched = await fetchManifest(session, resolved, endpoint, parsed.repository, child, call);
        }
        const config = fetched.manifest.config?.digest;
        if (config === undefined || isIndex(fetched.manifest, fetched.contentType)) {
          throw new RegistryProtocolError(`manifest ${fetched.digest} has no config descriptor`, {
            registry: endpoint.registry,
            repository: parsed.repository,
          });
        }
        return config;
      });
    },

    digestFromStatus(_image, imageID) {
      return digestFromImageID(imageID);
    },

    async close() {
      if (resolved.ownsDispatcher) await resolved.dispatcher.close();
    },
  };
}

function manifestPath(repository: string, reference: string): string {
  return `/v2/${repository}/manifests/${reference}`;
}

function sessionCall(repository: string, opts: ResolveOptions): SessionCall {
  return {
    repository,
    ...(opts.namespace !== undefined ? { namespace: opts.namespace } : {}),
    ...(opts.pullSecrets !== undefined ? { pullSecrets: opts.pullSecrets } : {}),
    ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
  };
}

/**
 * Tries the registry's mirrors in order, then the upstream; the upstream's error is the one reported. A loopback
 * endpoint learns its scheme (https or plain HTTP) first.
 */
async function withEndpoints<T>(
  options: ResolvedRegistryResolverOptions,
  schemes: EndpointSchemes,
  ref: { readonly registry: string; readonly repository: string },
  opts: ResolveOptions,
  attempt: (endpoint: RegistryEndpoint) => Promise<T>,
): Promise<T> {
  const names = [...(options.mirrors.get(ref.registry) ?? []), ref.registry];
  const settled = async (name: string) =>
    attempt(
      await schemes.settle(registryEndpoint(name, options.insecureRegistries), ref.repository, opts.signal),
    );
  for (let i = 0; i < names.length; i++) {
    if (i === names.length - 1) return settled(names[i]!);
    try {
      return await settled(names[i]!);
    } catch (err) {
      // A caller's abort stops everything; any mirror failure falls through to the next endpoint.
      if (opts.signal?.aborted) throw err;
    }
  }
  throw new Error('unreachable: the endpoint list always ends with the upstream');
}

/** A manifest fetched and verified: its digest (sha256 of the exact bytes), parsed fields and media type. */
interface FetchedManifest {
  readonly digest: string;
  readonly manifest: Manifest;
  readonly contentType: string | undefined;
}

/**
 * GETs a manifest (bounded), hashes the exact bytes, and checks them against the digest it was fetched by and
 * against a `Docker-Content-Digest` the registry announced.
 */
async function fetchManifest(
  session: RegistrySession,
  options: ResolvedRegistryResolverOptions,
  endpoint: RegistryEndpoint,
  repository: string,
  reference: string,
  call: SessionCall,
): Promise<FetchedManifest> {
  const context: RegistryErrorContext = { registry: endpoint.registry, repository };
  const res = await session.request(
    endpoint,
    'GET',
    manifestPath(repository, reference),
    { accept: MANIFEST_ACCEPT },
    call,
  );
  const body = await res.readBody(options.maxManifestBytes);
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  const expected = SHA256_DIGEST.test(reference) ? reference : res.header('docker-content-digest');
  if (expected !== undefined && SHA256_DIGEST.test(expected) && expected !== digest) {
    throw new DigestMismatchError(`manifest body hashes to ${digest}, expected ${expected}`, {
      ...context,
      status: res.status,
    });
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
  return { digest, manifest: parsed.data, contentType: res.header('content-type') };
}
