import net from 'node:net';

/**
 * A TCP pass-through on 127.0.0.1 in front of a TLS server such as kube-apiserver (TLS goes through untouched,
 * so the client's CA still verifies and it talks to the real server), with the faults of a bad network path:
 * cut every connection, freeze the established ones (they stay open but carry nothing either way, like a
 * half-dead NAT or load balancer) and hold new ones until released.
 */
export interface TcpRelay {
  /** `https://127.0.0.1:<port>`. */
  readonly server: string;
  /** Connections accepted so far. */
  connections(): number;
  /** Destroys every open connection. */
  cutAll(): void;
  /** From now on the open connections forward nothing in either direction (new ones are unaffected); returns how many froze. */
  freezeAll(): number;
  /** Cuts every open connection and closes new ones at once (a server restarting), until `up`. */
  down(): void;
  up(): void;
  /** New connections wait (accepted, not forwarded) until `release`. */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

/** Starts a TcpRelay to `upstream` (an `https://host:port` URL). */
export async function startTcpRelay(upstream: string): Promise<TcpRelay> {
  const target = new URL(upstream);
  const open = new Set<{ client: net.Socket; server: net.Socket; frozen: boolean }>();
  let accepted = 0;
  let held: Array<() => void> | undefined;
  let isDown = false;

  const relay = net.createServer((client) => {
    accepted++;
    if (isDown) {
      client.destroy();
      return;
    }
    const start = () => {
      const server = net.connect(Number(target.port), target.hostname);
      const pair = { client, server, frozen: false };
      open.add(pair);
      client.on('data', (chunk) => {
        if (!pair.frozen) server.write(chunk);
      });
      server.on('data', (chunk) => {
        if (!pair.frozen) client.write(chunk);
      });
      const end = () => {
        open.delete(pair);
        client.destroy();
        server.destroy();
      };
      client.on('close', end);
      server.on('close', end);
      client.on('error', end);
      server.on('error', end);
    };
    if (held) {
      client.pause();
      held.push(() => {
        // Listeners first: a paused socket's buffered bytes flow to them on resume.
        start();
        client.resume();
      });
      client.on('error', () => client.destroy());
    } else start();
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const port = (relay.address() as net.AddressInfo).port;

  const handle: TcpRelay = {
    server: `https://127.0.0.1:${port}`,
    connections: () => accepted,
    cutAll() {
      for (const pair of open) {
        pair.client.destroy();
        pair.server.destroy();
      }
      open.clear();
    },
    freezeAll() {
      let frozen = 0;
      for (const pair of open) {
        if (!pair.frozen) frozen++;
        pair.frozen = true;
      }
      return frozen;
    },
    down() {
      isDown = true;
      handle.cutAll();
    },
    up() {
      isDown = false;
    },
    hold() {
      held ??= [];
    },
    release() {
      const waiting = held ?? [];
      held = undefined;
      for (const go of waiting) go();
    },
    async close() {
      handle.release();
      handle.cutAll();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    },
  };
  return handle;
}
