import { setMaxListeners } from 'node:events';
import type { RequestOptions } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { Pool } from 'undici';
import { KubeApiError, kubeApiErrorFromResponse } from './kube-api-error.js';
import { type KubeClientOptions, resolveKubeClientOptions } from './kube-client-options.js';
import { kubeQueryString } from './kube-query-string.js';

/** HTTP methods the controller uses. */
export type KubeMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One request to the API server. */
export interface KubeRequest {
  /** Default: `GET`. */
  method?: KubeMethod;
  /** Absolute API path, e.g. `/api/v1/namespaces/ns/pods/p` (see `kube-paths.ts`). */
  path: string;
  /** Query parameters; `undefined` values are left out. */
  query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** JSON body (serialised here). */
  body?: unknown;
  /** Default: `application/json` (`application/merge-patch+json` for PATCH). */
  contentType?: string;
  /** Aborts the request. */
  signal?: AbortSignal;
  /** Default: the client's `requestTimeoutMs`. */
  timeoutMs?: number;
  /**
   * Safe to send twice, so it is sent again once when a kept-alive connection turns out closed. GET, PUT and
   * DELETE always are; set it for a PATCH or POST whose replay cannot do harm (e.g. a JSON patch led by
   * `test` operations that fail once it was applied). Default: false.
   */
  idempotent?: boolean;
}

/** One event of a watch stream. */
export interface WatchEvent<T = unknown> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** A watch request: the stream's events go to `onEvent` in order. */
export interface KubeWatchRequest {
  /** Collection path, e.g. `/api/v1/pods`. */
  path: string;
  /** `resourceVersion`, `labelSelector`, `allowWatchBookmarks`, `timeoutSeconds`, … (`watch=1` is added). */
  query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Called for every event, synchronously, in stream order. */
  onEvent(event: WatchEvent): void;
  /** Ends the watch; the returned promise then resolves. */
  signal?: AbortSignal;
}

/**
 * A keep-alive HTTP client for one API server. client-node 1.4's generated clients open a new TCP + TLS
 * connection per request (7× slower on the test control plane), so the hot paths go through one undici
 * pool for requests and another for long-lived watch streams, which would otherwise hold request
 * connections hostage. Credentials come from the KubeConfig (token, client certificate, exec and
 * token-file providers, refreshed every `authRefreshMs`).
 */
export interface KubeClient {
  /** The API server URL. */
  readonly server: string;
  /** Sends one request; resolves to the parsed JSON body, throws KubeApiError for a non-2xx answer. */
  request<T = unknown>(req: KubeRequest): Promise<T>;
  /**
   * Streams a watch until the server ends it (resolves), the signal aborts (resolves) or it fails (rejects
   * with KubeApiError). An `ERROR` event (e.g. 410 Expired) is delivered to `onEvent` like any other.
   */
  watch(req: KubeWatchRequest): Promise<void>;
  /** Requests sent so far (watches included). */
  requestCount(): number;
  /** Closes both pools. */
  close(): Promise<void>;
}

interface Credentials {
  headers: Record<string, string>;
  fetchedAt: number;
}

/** Creates a KubeClient for the KubeConfig's current context. */
export async function createKubeClient(
  kubeConfig: KubeConfig,
  options?: KubeClientOptions,
): Promise<KubeClient> {
  const opts = resolveKubeClientOptions(options);
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster?.server) {
    throw new KubeApiError('kubeconfig: the current context has no cluster server', {
      status: 0,
      method: 'GET',
      path: '',
    });
  }
  const server = cluster.server.replace(/\/+$/, '');
  const origin = new URL(server).origin;
  const basePath = new URL(server).pathname.replace(/\/+$/, '');

  const tls: RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(tls);
  const connect = {
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    ...(tls.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: tls.rejectUnauthorized }),
    ...(tls.servername ? { servername: tls.servername } : {}),
  };
  const requestPool = () =>
    new Pool(origin, { connections: opts.connections, connect, keepAliveTimeout: opts.keepAliveTimeoutMs });
  let requests = requestPool();
  // Pools replaced by recycleRequests, closing once their in-flight requests end.
  const retired = new Set<Pool>();
  let recycledAt = Number.NEGATIVE_INFINITY;
  // A request with no answer at all by its timeout most likely sat on a connection that died without closing
  // (a frozen NAT or load-balancer path). The same fault freezes every connection open at that moment, so the
  // pool's idle ones are suspect too: each would hold the next request sent on it for a whole timeout. New
  // requests get a fresh pool; the old one closes its idle connections now and the rest as their requests end.
  function recycleRequests(): void {
    if (Date.now() - recycledAt < RECYCLE_MIN_INTERVAL_MS) return;
    recycledAt = Date.now();
    const old = requests;
    requests = requestPool();
    retired.add(old);
    void old
      .close()
      .catch(() => undefined)
      .finally(() => retired.delete(old));
  }
  // Watches hold their connection for minutes: a pool of their own, unbounded.
  const watches = new Pool(origin, { connections: null, connect, keepAliveTimeout: opts.keepAliveTimeoutMs });

  let credentials: Credentials = { headers: headersOf(tls), fetchedAt: Date.now() };
  let refreshing: Promise<void> | undefined;
  async function authHeaders(): Promise<Record<string, string>> {
    if (Date.now() - credentials.fetchedAt > opts.authRefreshMs) {
      refreshing ??= (async () => {
        const fresh: RequestOptions = {};
        await kubeConfig.applyToHTTPSOptions(fresh);
        credentials = { headers: headersOf(fresh), fetchedAt: Date.now() };
      })().finally(() => {
        refreshing = undefined;
      });
      await refreshing;
    }
    return credentials.headers;
  }

  let sent = 0;

  async function request<T>(req: KubeRequest): Promise<T> {
    const method = req.method ?? 'GET';
    const path = basePath + req.path + kubeQueryString(req.query);
    const headers: Record<string, string> = {
      ...(await authHeaders()),
      accept: 'application/json',
      'user-agent': opts.userAgent,
    };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] =
        req.contentType ?? (method === 'PATCH' ? 'application/merge-patch+json' : 'application/json');
    }
    sent++;
    const signal = withTimeout(req.signal, req.timeoutMs ?? opts.requestTimeoutMs);
    let res: Awaited<ReturnType<Pool['request']>>;
    try {
      try {
        res = await requests.request({ method, path, headers, body, signal: signal.signal });
      } catch (err) {
        // A kept-alive connection the server closed while idle fails the next request sent on it before
        // any answer. GET, PUT (guarded by resourceVersion: a replay is at worst a 409) and DELETE are safe
        // to send once more on a fresh connection; POST and PATCH only when the caller says they are.
        const resendable = RESENDABLE.has(method) || req.idempotent === true;
        if (!isStaleConnection(err) || !resendable || signal.signal.aborted) throw err;
        res = await requests.request({ method, path, headers, body, signal: signal.signal });
      }
    } catch (err) {
      signal.clear();
      if (signal.signal.aborted && !req.signal?.aborted) recycleRequests();
      throw networkError(method, req.path, err, req.signal);
    }
    try {
      const text = await res.body.text();
      if (res.statusCode < 200 || res.statusCode >= 300)
        throw kubeApiErrorFromResponse(method, req.path, res.statusCode, text);
      return (text ? JSON.parse(text) : undefined) as T;
    } catch (err) {
      if (err instanceof KubeApiError) throw err;
      throw networkError(method, req.path, err, req.signal);
    } finally {
      signal.clear();
    }
  }

  async function watch(req: KubeWatchRequest): Promise<void> {
    const path = basePath + req.path + kubeQueryString({ ...req.query, watch: 1 });
    const headers = { ...(await authHeaders()), accept: 'application/json', 'user-agent': opts.userAgent };
    sent++;
    if (req.signal?.aborted) return;
    let res: Awaited<ReturnType<Pool['request']>>;
    try {
      res = await watches.request({ method: 'GET', path, headers, signal: req.signal });
    } catch (err) {
      if (req.signal?.aborted) return;
      throw networkError('GET', req.path, err, undefined);
    }
    if (res.statusCode !== 200) {
      const text = await res.body.text().catch(() => '');
      throw kubeApiErrorFromResponse('GET', req.path, res.statusCode, text);
    }
    let buffered = '';
    try {
      res.body.setEncoding('utf8');
      for await (const chunk of res.body as AsyncIterable<string>) {
        buffered += chunk;
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (line.trim()) req.onEvent(JSON.parse(line) as WatchEvent);
          newline = buffered.indexOf('\n');
        }
      }
    } catch (err) {
      if (req.signal?.aborted) return;
      throw networkError('GET', req.path, err, undefined);
    }
  }

  return {
    server,
    request,
    watch,
    requestCount: () => sent,
    async close() {
      await Promise.all([
        requests.close(),
        ...[...retired].map((p) => p.destroy().catch(() => undefined)),
        watches.destroy(),
      ]);
    },
  };
}

const RESENDABLE = new Set<KubeMethod>(['GET', 'PUT', 'DELETE']);

/** Request pools are replaced at most this often, so an overloaded server's slow answers cause few new handshakes. */
const RECYCLE_MIN_INTERVAL_MS = 5_000;

function isStaleConnection(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_CLOSED';
}

function headersOf(opts: RequestOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(opts.headers ?? {})) {
    if (typeof value === 'string' || typeof value === 'number') headers[key.toLowerCase()] = String(value);
  }
  if (opts.auth) headers['authorization'] = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
  return headers;
}

// One caller signal is often shared by many requests at once (a reconcile's completions, a leadership term), each
// listening for its abort only while in flight and removing the listener after. That is concurrency, not a leak,
// so Node's warning at 11 listeners (printed to stderr, outside the JSON logs) is turned off for such signals.
function withTimeout(
  signal: AbortSignal | undefined,
  timeoutMs: number,
): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError')),
    timeoutMs,
  );
  const onAbort = () => controller.abort(signal?.reason);
  if (signal?.aborted) controller.abort(signal.reason);
  else if (signal !== undefined) {
    setMaxListeners(0, signal);
    signal.addEventListener('abort', onAbort, { once: true });
  }
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

function networkError(
  method: string,
  path: string,
  err: unknown,
  callerSignal: AbortSignal | undefined,
): unknown {
  // The caller's own abort is re-thrown as it is, like fetch does.
  if (callerSignal?.aborted) return callerSignal.reason;
  const why = err instanceof Error ? err.message : String(err);
  return new KubeApiError(`${method} ${path}: ${why}`, { status: 0, method, path }, { cause: err });
}
