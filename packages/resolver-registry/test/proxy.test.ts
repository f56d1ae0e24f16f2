import { inspect } from 'node:util';
import { hasErrorCode } from '@agentbox/core';
import {
  type PushedImage,
  pushImage,
  registryFromProvided,
  startRegistry,
  type TestRegistry,
} from '@agentbox/testenv';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRegistryResolver, createStaticKeychain, type RegistryResolverOptions } from '../src/index.js';
import { uniqueRepository } from './backends.js';
import { type ForwardProxy, startForwardProxy } from './forward-proxy.js';

const registries = inject('registries');
const basic = registries.basic;
const basicSecrets = [basic.password, Buffer.from(`${basic.username}:${basic.password}`).toString('base64')];
const basicKeychain = createStaticKeychain({
  [basic.host]: { kind: 'basic', username: basic.username, password: basic.password },
});

// HTTP(S)_PROXY / NO_PROXY through a real forward proxy in front of the real registries. undici 7's ProxyAgent
// (behind EnvHttpProxyAgent) opens a CONNECT tunnel for http:// targets too, so the registry's own headers
// travel inside the tunnel, never on the request the proxy parses.
describe('proxy settings against a real forward proxy', () => {
  let proxy: ForwardProxy;
  let image: PushedImage;
  let basicImage: PushedImage;
  const opened: { close(): Promise<void> }[] = [];
  const resolverWith = (options: RegistryResolverOptions) => {
    const resolver = createRegistryResolver({ env: {}, retries: 0, ...options });
    opened.push(resolver);
    return resolver;
  };
  /** How many manifest HEADs of `image` went through a tunnel in plain text (i.e. the lookup itself). */
  const proxiedLookups = () =>
    proxy.tunnelledText().split(`HEAD /v2/${image.repository}/manifests/${image.tag} `).length - 1;
  const tunnelsTo = (host: string) =>
    proxy.requests().filter((r) => r.kind === 'connect' && r.target === host && r.status === 200);

  beforeAll(async () => {
    proxy = await startForwardProxy();
    image = await pushImage(registryFromProvided(registries.none), { repository: uniqueRepository('proxy') });
    basicImage = await pushImage(registryFromProvided(basic), { repository: uniqueRepository('proxy') });
  });
  afterEach(async () => {
    for (const resolver of opened.splice(0)) await resolver.close();
  });
  afterAll(async () => {
    await proxy?.stop();
  });

  it('proxy.httpProxy: the lookup goes through the proxy (a CONNECT tunnel) and succeeds', async () => {
    const before = tunnelsTo(registries.none.host).length;
    const lookups = proxiedLookups();
    const resolver = resolverWith({ proxy: { httpProxy: proxy.url } });
    expect(await resolver.resolve(image.reference)).toBe(image.digest);
    expect(tunnelsTo(registries.none.host).length).toBeGreaterThan(before);
    expect(proxiedLookups() - lookups).toBe(1);
  });

  it.each([
    ['the host', () => '127.0.0.1'],
    ['host:port', () => registries.none.host],
    ['*', () => '*'],
    ['a list containing the host', () => `registry.example, 127.0.0.1`],
  ])('proxy.noProxy matching the registry (%s): no request reaches the proxy', async (_what, noProxy) => {
    const before = proxy.requests().length;
    const resolver = resolverWith({ proxy: { httpProxy: proxy.url, noProxy: noProxy() } });
    expect(await resolver.resolve(image.reference)).toBe(image.digest);
    expect(proxy.requests().length).toBe(before);
  });

  it('proxy.noProxy naming another host still proxies this one', async () => {
    const before = tunnelsTo(registries.none.host).length;
    const resolver = resolverWith({ proxy: { httpProxy: proxy.url, noProxy: 'registry.example,10.0.0.1' } });
    expect(await resolver.resolve(image.reference)).toBe(image.digest);
    expect(tunnelsTo(registries.none.host).length).toBeGreaterThan(before);
  });

  it.each([
    ['HTTP_PROXY', { HTTP_PROXY: 'PROXY' }, true],
    ['http_proxy', { http_proxy: 'PROXY' }, true],
    ['HTTP_PROXY with NO_PROXY=127.0.0.1', { HTTP_PROXY: 'PROXY', NO_PROXY: '127.0.0.1' }, false],
    // Only the one-time https probe of the loopback registry (an https request) uses the https proxy.
    ['HTTPS_PROXY only (http:// lookups are not proxied)', { HTTPS_PROXY: 'PROXY' }, false],
  ])('the env option: %s', async (_what, vars, proxied) => {
    const env = Object.fromEntries(
      Object.entries(vars).map(([k, v]) => [k, v === 'PROXY' ? proxy.url : v]),
    ) as NodeJS.ProcessEnv;
    const before = proxiedLookups();
    const resolver = createRegistryResolver({ env, retries: 0 });
    opened.push(resolver);
    expect(await resolver.resolve(image.reference)).toBe(image.digest);
    expect(proxiedLookups() - before).toBe(proxied ? 1 : 0);
  });

  it('proxy: false and explicit settings ignore the process environment', async () => {
    const saved = process.env.HTTP_PROXY;
    process.env.HTTP_PROXY = proxy.url;
    try {
      const before = proxiedLookups();
      const off = createRegistryResolver({ proxy: false, env: process.env, retries: 0 });
      const httpsOnly = createRegistryResolver({ proxy: { httpsProxy: 'http://127.0.0.1:9' }, retries: 0 });
      opened.push(off, httpsOnly);
      expect(await off.resolve(image.reference)).toBe(image.digest);
      // Only an https proxy configured: an http:// registry is reached directly, not via process.env's proxy.
      expect(await httpsOnly.resolve(image.reference)).toBe(image.digest);
      expect(proxiedLookups()).toBe(before);
    } finally {
      if (saved === undefined) delete process.env.HTTP_PROXY;
      else process.env.HTTP_PROXY = saved;
    }
  });

  it('registry credentials are never on a request the proxy parses; no Proxy-Authorization unless configured', async () => {
    const start = proxy.requests().length;
    const resolver = resolverWith({ proxy: { httpProxy: proxy.url }, keychain: basicKeychain });
    expect(await resolver.resolve(basicImage.reference)).toBe(basicImage.digest);
    const seen = proxy.requests().slice(start);
    expect(seen.length).toBeGreaterThan(0);
    for (const record of seen) {
      expect(record.kind).toBe('connect');
      expect(record.headers.authorization).toBeUndefined();
      expect(record.headers['proxy-authorization']).toBeUndefined();
      const parsed = JSON.stringify(record);
      for (const secret of basicSecrets) expect(parsed).not.toContain(secret);
    }
    // Inside the tunnel, plain HTTP is plain: a proxy that snoops could read the registry's Authorization.
    // Only an https registry hides it (see 'an https registry through the proxy').
    expect(proxy.tunnelledText()).toContain(`authorization: Basic ${basicSecrets[1]}`);
  });
});

describe('a proxy that requires credentials', () => {
  const user = 'proxy-user';
  const password = 'proxy-pw-Zq81v';
  let proxy: ForwardProxy;
  let image: PushedImage;
  beforeAll(async () => {
    proxy = await startForwardProxy({
      proxyAuthorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
    });
    image = await pushImage(registryFromProvided(basic), { repository: uniqueRepository('proxy-auth') });
  });
  afterAll(async () => {
    await proxy?.stop();
  });

  it('credentials in the proxy URL become Proxy-Authorization on the CONNECT, and only there', async () => {
    const url = `http://${user}:${password}@127.0.0.1:${proxy.port}`;
    const resolver = createRegistryResolver({ env: {}, proxy: { httpProxy: url }, keychain: basicKeychain });
    try {
      expect(await resolver.resolve(image.reference)).toBe(image.digest);
    } finally {
      await resolver.close();
    }
    const tunnels = proxy.requests().filter((r) => r.target === basic.host);
    expect(tunnels.length).toBeGreaterThan(0);
    for (const record of tunnels) {
      expect(record).toMatchObject({ kind: 'connect', status: 200 });
      expect(record.headers.authorization).toBeUndefined();
    }
  });

  it('wrong proxy credentials: RegistryUnavailable saying the proxy refused, without the proxy password', async () => {
    const url = `http://${user}:wrong-${password}@127.0.0.1:${proxy.port}`;
    const resolver = createRegistryResolver({
      env: {},
      proxy: { httpProxy: url },
      keychain: basicKeychain,
      retries: 0,
    });
    const err = await resolver.resolve(image.reference).catch((e: unknown) => e);
    await resolver.close();
    expect(hasErrorCode(err, 'RegistryUnavailable')).toBe(true);
    expect((err as Error).message).toBe(
      `${image.reference}: the proxy refused the tunnel (HTTP 407 to CONNECT)`,
    );
    const rendered = [String(err), JSON.stringify(err), inspect(err, { depth: 20, showHidden: true })];
    const wrongBasic = Buffer.from(`${user}:wrong-${password}`).toString('base64');
    for (const text of rendered) {
      for (const secret of [password, wrongBasic, ...basicSecrets]) expect(text).not.toContain(secret);
    }
  });
});

describe('an https registry through the proxy', () => {
  let registry: TestRegistry;
  let proxy: ForwardProxy;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'basic', tls: true });
    proxy = await startForwardProxy();
  });
  afterAll(async () => {
    await proxy?.stop();
    await registry?.stop();
  });

  it('resolves with the extra CA; the proxy sees only a tunnel whose bytes never contain the credentials', async () => {
    const { username, password } = registry.credentials!;
    const pushed = await pushImage(registry, { repository: uniqueRepository('proxy-tls') });
    const resolver = createRegistryResolver({
      env: {},
      proxy: { httpsProxy: proxy.url },
      caCertificates: [registry.caCertificate!],
      keychain: createStaticKeychain({ [registry.host]: { kind: 'basic', username, password } }),
    });
    try {
      expect(await resolver.resolve(pushed.reference)).toBe(pushed.digest);
    } finally {
      await resolver.close();
    }
    expect(proxy.requests().filter((r) => r.kind === 'connect' && r.target === registry.host).length).toBe(
      proxy.requests().length,
    );
    expect(proxy.tunnelledText().length).toBeGreaterThan(0);
    for (const secret of [password, Buffer.from(`${username}:${password}`).toString('base64')]) {
      expect(proxy.tunnelledText()).not.toContain(secret);
    }
  });

  it('without the CA through the proxy: TlsCertificate', async () => {
    const pushed = await pushImage(registry, { repository: uniqueRepository('proxy-tls') });
    const resolver = createRegistryResolver({ env: {}, proxy: { httpsProxy: proxy.url } });
    const err = await resolver.resolve(pushed.reference).catch((e: unknown) => e);
    await resolver.close();
    expect(err).toMatchObject({ code: 'TlsCertificate', registry: registry.host, retryable: false });
  });
});
