import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Which requests a fault (or a count) applies to; every field present must match. */
export interface FaultRequestFilter {
  /** HTTP method, e.g. `'HEAD'`. */
  readonly method?: string;
  /** A substring of the path (with query), or a pattern tested against it. */
  readonly path?: string | RegExp;
}

/** Names of the one-shot faults, as recorded on a request. */
export type FaultName = 'respond429' | 'respond5xx' | 'dropConnection' | 'rejectMethod';

/** One request the proxy received. */
export interface ProxiedRequest {
  readonly method: string;
  /** Path with query string, e.g. `/v2/app/manifests/latest`. */
  readonly path: string;
  /** Status sent to the client (undefined when the connection was dropped or the upstream failed). */
  readonly status: number | undefined;
  /** The fault injected into this request, if any. */
  readonly fault: FaultName | undefined;
}

/** Options of `startFaultProxy`. */
export interface FaultProxyOptions {
  /** Latency added before forwarding each request, in ms. Default: 0. */
  readonly latencyMs?: number;
}

/** A reverse proxy in front of a registry whose faults can be switched at run time. */
export interface FaultProxy {
  /** `127.0.0.1:<port>`, for image references through the proxy. */
  readonly host: string;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Answers the next `times` matching requests with 429 and `Retry-After: <retryAfterSeconds>`. */
  respond429(times: number, retryAfterSeconds?: number, filter?: FaultRequestFilter): void;
  /** Answers the next `times` matching requests with `status` (default 503). */
  respond5xx(times: number, status?: number, filter?: FaultRequestFilter): void;
  /** Destroys the socket of the next `times` matching requests without answering. */
  dropConnection(times: number, filter?: FaultRequestFilter): void;
  /**
   * Answers every request with `method` (e.g. `'HEAD'`) with `status` (default 405 Method Not Allowed,
   * `Allow: GET`) until `clearFaults`, the way some mirrors and proxies treat HEAD.
   */
  rejectMethod(method: string, status?: number): void;
  /** Delays every request by `ms` before forwarding it (0 turns it off). */
  latency(ms: number): void;
  /** Removes `Docker-Content-Digest` from every answer while on. */
  stripDigestHeader(on: boolean): void;
  /** Changes the body bytes of every successful manifest GET while on (a newline is appended). */
  corruptBody(on: boolean): void;
  /** Cancels pending one-shot faults and turns latency, stripping, corruption and method rejection off. */
  clearFaults(): void;
  /** Requests received since start (or the last `resetCounters`), optionally filtered, oldest first. */
  requests(filter?: FaultRequestFilter): readonly ProxiedRequest[];
  /** Number of requests `requests(filter)` would list. */
  requestCount(filter?: FaultRequestFilter): number;
  /** Forgets the requests received so far. */
  resetCounters(): void;
  /** Closes the proxy and its connections. */
  stop(): Promise<void>;
}

interface PendingFault {
  name: FaultName;
  remaining: number;
  filter: FaultRequestFilter | undefined;
  status: number;
  retryAfterSeconds: number;
}

function matches(filter: FaultRequestFilter | undefined, method: string, path: string): boolean {
  if (filter === undefined) return true;
  if (filter.method !== undefined && filter.method.toUpperCase() !== method) return false;
  if (filter.path === undefined) return true;
  return typeof filter.path === 'string' ? path.includes(filter.path) : filter.path.test(path);
}

// Connection-level headers that belong to one hop and must not be forwarded.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'proxy-connection',
  'upgrade',
  'te',
]);

function errorBody(code: string, message: string): string {
  return JSON.stringify({ errors: [{ code, message, detail: null }] });
}

/**
 * Starts a reverse proxy on 127.0.0.1 and a free port that forwards everything (method, path,
 * headers including Host and Authorization, body) to `targetUrl`, injecting the faults asked for.
 */
export async function startFaultProxy(
  targetUrl: string,
  options: FaultProxyOptions = {},
): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const agent = new Agent({ keepAlive: true });
  let pending: PendingFault[] = [];
  let latencyMs = options.latencyMs ?? 0;
  let strip = false;
  let corrupt = false;
  const rejected = new Map<string, number>();
  let log: ProxiedRequest[] = [];

  const takeFault = (method: string, path: string): PendingFault | undefined => {
    const fault = pending.find((f) => f.remaining > 0 && matches(f.filter, method, path));
    if (fault === undefined) return undefined;
    fault.remaining -= 1;
    pending = pending.filter((f) => f.remaining > 0);
    return fault;
  };

  const forward = (
    req: IncomingMessage,
    res: ServerResponse,
    record: (status: number | undefined) => void,
  ): void => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    const upstream = request(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method,
        path,
        headers,
        agent,
      },
      (up) => {
        const status = up.statusCode ?? 502;
        record(status);
        const outHeaders: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(up.headers)) {
          if (value === undefined || HOP_BY_HOP.has(name)) continue;
          if (strip && name === 'docker-content-digest') continue;
          outHeaders[name] = value;
        }
        if (corrupt && method === 'GET' && status === 200 && path.includes('/manifests/')) {
          const chunks: Buffer[] = [];
          up.on('data', (chunk: Buffer) => chunks.push(chunk));
          up.on('end', () => {
            const body = Buffer.concat([...chunks, Buffer.from('\n')]);
            outHeaders['content-length'] = String(body.length);
            res.writeHead(status, outHeaders);
            res.end(body);
          });
          return;
        }
        res.writeHead(status, outHeaders);
        up.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      record(undefined);
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(errorBody('BAD_GATEWAY', `fault proxy could not reach the registry: ${error.message}`));
      } else {
        res.destroy();
      }
    });
    req.pipe(upstream);
  };

  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const rejectedStatus = rejected.get(method);
    const fault = rejectedStatus === undefined ? takeFault(method, path) : undefined;
    // Logged on arrival, so a count taken right after the client's answer always includes it.
    const entry: { -readonly [K in keyof ProxiedRequest]: ProxiedRequest[K] } = {
      method,
      path,
      status: undefined,
      fault: rejectedStatus !== undefined ? 'rejectMethod' : fault?.name,
    };
    log.push(entry);
    const record = (status: number | undefined): void => {
      entry.status = status;
    };
    if (rejectedStatus !== undefined) {
      const body = errorBody('UNSUPPORTED', `${method} not allowed (injected by the fault proxy)`);
      req.resume();
      // Node sends no body to a HEAD request; the length still describes the would-be body.
      res.writeHead(rejectedStatus, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        ...(rejectedStatus === 405 ? { allow: 'GET' } : {}),
      });
      res.end(body);
      record(rejectedStatus);
      return;
    }
    if (fault?.name === 'dropConnection') {
      record(undefined);
      req.socket.destroy();
      return;
    }
    if (fault?.name === 'respond429' || fault?.name === 'respond5xx') {
      const is429 = fault.name === 'respond429';
      const body = is429
        ? errorBody('TOOMANYREQUESTS', 'too many requests (injected by the fault proxy)')
        : errorBody('UNAVAILABLE', 'service unavailable (injected by the fault proxy)');
      req.resume();
      res.writeHead(fault.status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        ...(is429 ? { 'retry-after': String(fault.retryAfterSeconds) } : {}),
      });
      res.end(body);
      record(fault.status);
      return;
    }
    if (latencyMs > 0) setTimeout(() => forward(req, res, record), latencyMs);
    else forward(req, res, record);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const add = (fault: PendingFault): void => {
    if (fault.remaining > 0) pending.push(fault);
  };
  const select = (filter?: FaultRequestFilter): ProxiedRequest[] =>
    log.filter((r) => matches(filter, r.method, r.path));

  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    respond429: (times, retryAfterSeconds = 1, filter) =>
      add({ name: 'respond429', remaining: times, filter, status: 429, retryAfterSeconds }),
    respond5xx: (times, status = 503, filter) =>
      add({ name: 'respond5xx', remaining: times, filter, status, retryAfterSeconds: 0 }),
    dropConnection: (times, filter) =>
      add({ name: 'dropConnection', remaining: times, filter, status: 0, retryAfterSeconds: 0 }),
    rejectMethod: (method, status = 405) => {
      rejected.set(method.toUpperCase(), status);
    },
    latency: (ms) => {
      latencyMs = ms;
    },
    stripDigestHeader: (on) => {
      strip = on;
    },
    corruptBody: (on) => {
      corrupt = on;
    },
    clearFaults: () => {
      pending = [];
      rejected.clear();
      latencyMs = 0;
      strip = false;
      corrupt = false;
    },
    requests: (filter) => select(filter),
    requestCount: (filter) => select(filter).length,
    resetCounters: () => {
      log = [];
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
