import { createServer, type Server, Socket } from 'node:net';

/**
 * A TCP relay on 127.0.0.1 in front of kube-apiserver (TLS passes through untouched, so the kubeconfig's CA still
 * verifies). `stall()` freezes every connection open at that moment: no byte moves either way and nothing is
 * closed, the way a half-dead NAT or load balancer swallows a watch. New connections flow normally.
 */
export async function startStallProxy(target: { host: string; port: number }): Promise<{
  port: number;
  stall(): number;
  stop(): Promise<void>;
}> {
  const pairs = new Set<{ a: Socket; b: Socket; frozen: boolean }>();
  const server: Server = createServer((a) => {
    const b = new Socket();
    const pair = { a, b, frozen: false };
    pairs.add(pair);
    const close = () => {
      pairs.delete(pair);
      a.destroy();
      b.destroy();
    };
    a.on('error', close);
    b.on('error', close);
    a.on('close', close);
    b.on('close', close);
    a.on('data', (d) => {
      if (!pair.frozen) b.write(d);
    });
    b.on('data', (d) => {
      if (!pair.frozen) a.write(d);
    });
    b.connect(target.port, target.host);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    stall() {
      for (const p of pairs) p.frozen = true;
      return pairs.size;
    },
    async stop() {
      for (const p of pairs) {
        p.a.destroy();
        p.b.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
