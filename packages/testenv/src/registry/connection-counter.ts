import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP forwarder in front of a registry that counts the connections clients open to it. */
export interface ConnectionCounter {
  /** `127.0.0.1:<port>`, for image references through the counter. */
  readonly host: string;
  /** Connections accepted since start (or the last reset). */
  connections(): number;
  reset(): void;
  stop(): Promise<void>;
}

/**
 * Starts a byte-for-byte TCP forwarder on 127.0.0.1 to `upstream` (`host:port`), so a test counts connections
 * where the registry sees them: every TCP connection a client opens is one accepted here.
 */
export async function startConnectionCounter(upstream: string): Promise<ConnectionCounter> {
  const colon = upstream.lastIndexOf(':');
  const upstreamHost = upstream.slice(0, colon);
  const upstreamPort = Number(upstream.slice(colon + 1));
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((client) => {
    accepted++;
    const target = connect(upstreamPort, upstreamHost);
    sockets.add(client).add(target);
    const close = () => {
      client.destroy();
      target.destroy();
      sockets.delete(client);
      sockets.delete(target);
    };
    client.on('error', close).on('close', close);
    target.on('error', close).on('close', close);
    client.pipe(target);
    target.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    host: `127.0.0.1:${port}`,
    connections: () => accepted,
    reset: () => {
      accepted = 0;
    },
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
