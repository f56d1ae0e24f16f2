import { Agent, type Dispatcher, EnvHttpProxyAgent, interceptors } from 'undici';
import type { ResolvedRegistryResolverOptions } from '../registry-resolver-options.js';
import { MAX_REDIRECTS } from './http-request.js';

/** The dispatcher a resolver sends through, and how to release it. */
export interface ResolverDispatcher {
  /** The pool. */
  readonly dispatcher: Dispatcher;
  /** The pool behind undici's redirect interceptor (drops `Authorization` when a redirect leaves the origin). */
  readonly redirecting: Dispatcher;
  /** Closes the pool the resolver built; a dispatcher the caller passed in is left open. */
  close(): Promise<void>;
}

/**
 * Builds the resolver's connection pool: an undici `Agent` (an `EnvHttpProxyAgent` with a proxy) keeping at most
 * `maxConnectionsPerOrigin` connections alive per registry, trusting `ca`, with the request timeout as the
 * connect (TCP + TLS) timeout; or the caller's dispatcher. Either way also behind the redirect interceptor.
 */
export function buildDispatcher(options: ResolvedRegistryResolverOptions): ResolverDispatcher {
  const redirect = interceptors.redirect({ maxRedirections: MAX_REDIRECTS });
  if (options.dispatcher !== undefined) {
    const given = options.dispatcher;
    return { dispatcher: given, redirecting: given.compose(redirect), close: async () => undefined };
  }
  const connect = { timeout: options.requestTimeoutMs, ...(options.ca ? { ca: [...options.ca] } : {}) };
  const pool = { connections: options.maxConnectionsPerOrigin, connect };
  const proxy = options.proxy;
  const own =
    proxy !== undefined
      ? new EnvHttpProxyAgent({
          // Always strings: undici reads process.env for a missing one, which would override `proxy`/`env`.
          // An empty httpsProxy makes https use httpProxy (undici's rule); an empty httpProxy means none.
          httpProxy: proxy.httpProxy ?? '',
          httpsProxy: proxy.httpsProxy ?? '',
          noProxy: proxy.noProxy ?? '',
          ...pool,
          ...(options.ca ? { requestTls: { ca: [...options.ca] } } : {}),
        })
      : new Agent(pool);
  return { dispatcher: own, redirecting: own.compose(redirect), close: () => own.close() };
}
