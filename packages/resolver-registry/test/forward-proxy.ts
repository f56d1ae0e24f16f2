// A tiny real forward proxy for the proxy tests: CONNECT tunnels (what undici's ProxyAgent sends by default,
// for http:// and https:// targets alike) and absolute-URI requests (its `proxyTunnel: false` mode), to
// 127.0.0.1 only, recording what the proxy itself gets to see.
import { createServer, type IncomingHttpHeaders, request } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';

/** One request the proxy received. */
export interface ProxyRecord {
  /** `connect` for a CONNECT tunnel, `absolute` for a request with an absolute URI. */
  readonly kind: 'connect' | 'absolute';
  /** `host:port` of a tunnel, the absolute URL of a forwarded request. */
  readonly target: string;
  /** The headers the proxy received (on the CONNECT itself, for a tunnel). */
  readonly headers: IncomingHttpHeaders;
  /** Status the proxy answered (200 for an established tunnel). */
  status: number;
}

/** A running forward proxy. */
export interface ForwardProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Every request received so far, oldest first. */
  requests(): readonly ProxyRecord[];
  /** The bytes clients sent inside CONNECT tunnels, as latin1 text (what a snooping proxy could read). */
  tunnelledText(): string;
  /** Closes the proxy and every tunnel. */
  stop(): Promise<void>;
}

/** Options of `startForwardProxy`. */
export interface ForwardProxyOptions {
  /** When set, requests without exactly this `Proxy-Authorization` get 407. Default: no authentication. */
  readonly proxyAuthorization?: string;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'upgrade',
]);
const MAX_TUNNEL_TEXT = 1024 * 1024;

/** Starts the forward proxy on 127.0.0.1 and a free port. */
export async function startForwardProxy(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const log: ProxyRecord[] = [];
  const sockets = new Set<Socket>();
  let tunnelled = '';
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const authorized = (headers: IncomingHttpHeaders): boolean =>
    options.proxyAuthorization === undefined || headers['proxy-authorization'] === options.proxyAuthorization;

  const server = createServer((req, res) => {
    const target = req.url ?? '';
    const record: ProxyRecord = { kind: 'absolute', target, headers: req.headers, status: 0 };
    log.push(record);
    const answer = (status: number, extra: Record<string, string> = {}): void => {
      record.status = status;
      req.resume();
      res.writeHead(status, { 'content-length': '0', ...extra });
      res.end();
    };
    if (!authorized(req.headers)) return answer(407, { 'proxy-authenticate': 'Basic realm="test-proxy"' });
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return answer(400);
    }
    if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1') return answer(403);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    const upstream = request(
      {
        hostname: '127.0.0.1',
        port: url.port,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers,
      },
      (up) => {
        record.status = up.statusCode ?? 502;
        res.writeHead(record.status, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => answer(502));
    req.pipe(upstream);
  });

  server.on('connect', (req, client: Socket, head: Buffer) => {
    track(client);
    const target = req.url ?? '';
    const record: ProxyRecord = { kind: 'connect', target, headers: req.headers, status: 0 };
    log.push(record);
    const refuse = (status: number, reason: string, extra = ''): void => {
      record.status = status;
      client.end(`HTTP/1.1 ${status} ${reason}\r\n${extra}content-length: 0\r\n\r\n`);
    };
    if (!authorized(req.headers)) {
      return refuse(407, 'Proxy Authentication Required', 'proxy-authenticate: Basic realm="test-proxy"\r\n');
    }
    const match = /^127\.0\.0\.1:(\d+)$/.exec(target);
    if (match === null) return refuse(403, 'Forbidden');
    const upstream = connect(Number(match[1]), '127.0.0.1');
    track(upstream);
    upstream.once('connect', () => {
      record.status = 200;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      client.on('data', (chunk: Buffer) => {
        if (tunnelled.length < MAX_TUNNEL_TEXT) tunnelled += chunk.toString('latin1');
      });
      client.pipe(upstream);
      upstream.pipe(client);
    });
    upstream.on('error', () => (record.status === 0 ? refuse(502, 'Bad Gateway') : client.destroy()));
    client.on('error', () => upstream.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: () => [...log],
    tunnelledText: () => tunnelled,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
