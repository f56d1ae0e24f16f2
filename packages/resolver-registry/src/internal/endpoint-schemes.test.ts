import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointSchemes } from './endpoint-schemes.js';
import { registryEndpoint } from './registry-host.js';

// Real loopback servers (no mocks): a plain HTTP one, one that accepts and never answers, and a closed port.
// The https side is tested against Distribution serving TLS in test/tls.test.ts.
describe('EndpointSchemes', () => {
  const agent = new Agent();
  const schemes = () =>
    new EndpointSchemes({ dispatcher: agent, redirecting: agent, timeoutMs: 5_000, userAgent: 'test' });
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  let plainHost = '';
  let silentHost = '';
  const listen = async (server: Server): Promise<string> => {
    servers.push(server);
    server.on('connection', (socket: Socket) => {
      connections++;
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  beforeAll(async () => {
    plainHost = await listen(createHttpServer((_req, res) => res.end('{}')));
    silentHost = await listen(createServer(() => undefined));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
    await agent.close();
  });

  it('a plain HTTP loopback server: plain HTTP, decided once per host', async () => {
    const s = schemes();
    const endpoint = registryEndpoint(plainHost, new Set());
    expect(endpoint.httpsFirst).toBe(true);
    const before = connections;
    expect((await s.settle(endpoint, 'app')).baseUrl).toBe(`http://${plainHost}`);
    expect(connections - before).toBe(1);
    await Promise.all([s.settle(endpoint, 'app'), s.settle(endpoint, 'other')]);
    expect(connections - before).toBe(1);
  });

  it.each([
    ['listed insecure', (host: string) => registryEndpoint(host, new Set([host]))],
    ['named http://', (host: string) => registryEndpoint(`http://${host}`, new Set())],
    ['not loopback', () => registryEndpoint('reg.example:5000', new Set())],
  ])('an endpoint %s is returned as it is, without a probe', async (_what, make) => {
    const endpoint = make(plainHost);
    const before = connections;
    expect(await schemes().settle(endpoint, 'app')).toBe(endpoint);
    expect(connections).toBe(before);
  });

  it('a closed port: plain HTTP for this lookup, asked again next time', async () => {
    const closed = createServer();
    const host = await new Promise<string>((resolve) =>
      closed.listen(0, '127.0.0.1', () => resolve(`127.0.0.1:${(closed.address() as AddressInfo).port}`)),
    );
    await new Promise((resolve) => closed.close(resolve));
    const s = schemes();
    const endpoint = registryEndpoint(host, new Set());
    expect((await s.settle(endpoint, 'app')).baseUrl).toBe(`http://${host}`);
    // The port now listens in plain HTTP: the second lookup probes again (one new connection).
    const [, port] = host.split(':');
    const reopened = createHttpServer((_req, res) => res.end('{}'));
    let accepted = 0;
    reopened.on('connection', () => accepted++);
    await new Promise<void>((resolve) => reopened.listen(Number(port), '127.0.0.1', resolve));
    try {
      expect((await s.settle(endpoint, 'app')).baseUrl).toBe(`http://${host}`);
      expect(accepted).toBe(1);
    } finally {
      reopened.closeAllConnections();
      await new Promise((resolve) => reopened.close(resolve));
    }
  });

  it('a caller that aborts while the probe waits on a silent server is rejected with its reason', async () => {
    const controller = new AbortController();
    const pending = schemes().settle(registryEndpoint(silentHost, new Set()), 'app', controller.signal);
    controller.abort(new Error('caller gave up'));
    await expect(pending).rejects.toThrow('caller gave up');
  });
});
