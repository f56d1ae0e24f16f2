import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BindAddress } from './parse-bind-address.js';

/** A running HTTP server of the controller (metrics or health probes). */
export interface HttpServerHandle {
  /** `http://host:port` as a client on this machine reaches it (loopback for "every interface"). */
  readonly url: string;
  readonly port: number;
  /** Stops accepting, ends idle keep-alive connections, waits for the rest. */
  close(): Promise<void>;
}

/** A request handler; answers 404 itself by returning false. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

/** Starts a small node:http server on `address` (port 0 = any free port). */
export async function startHttpServer(address: BindAddress, handler: HttpHandler): Promise<HttpServerHandle> {
  const server: Server = createServer((req, res) => {
    Promise.resolve()
      .then(() => handler(req, res))
      .then((handled) => {
        if (!handled) {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('not found\n');
        }
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('internal error\n');
      });
  });
  // Probes and scrapes are short: keep-alive connections must not hold up a stop.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const onListening = () => {
      server.off('error', reject);
      resolve();
    };
    if (address.host) server.listen(address.port, address.host, onListening);
    else server.listen(address.port, onListening);
  });
  const port = (server.address() as AddressInfo).port;
  const host = urlHost(address.host);
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Whatever is still open after a moment (a slow scraper) is cut.
        setTimeout(() => server.closeAllConnections(), 1_000).unref();
      }),
  };
}

function urlHost(host: string): string {
  if (host === '' || host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
