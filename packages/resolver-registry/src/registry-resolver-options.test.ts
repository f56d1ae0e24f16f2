import { MockAgent } from 'undici';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_MANIFEST_BYTES,
  DEFAULT_USER_AGENT,
  resolveRegistryResolverOptions,
} from './registry-resolver-options.js';

describe('resolveRegistryResolverOptions', () => {
  it('applies the documented defaults', async () => {
    const o = resolveRegistryResolverOptions({ env: {} });
    expect(o).toMatchObject({
      requestTimeoutMs: 30_000,
      retries: 3,
      retryBaseDelayMs: 200,
      retryMaxDelayMs: 5_000,
      maxRetryAfterMs: 60_000,
      userAgent: DEFAULT_USER_AGENT,
      dispatcher: undefined,
      proxy: undefined,
      ca: undefined,
      maxConnectionsPerOrigin: 32,
      platform: { os: 'linux', architecture: 'amd64' },
      maxManifestBytes: 4 * 1024 * 1024,
    });
    expect(DEFAULT_MAX_MANIFEST_BYTES).toBe(4_194_304);
    expect(o.mirrors.size).toBe(0);
    expect(o.insecureRegistries.size).toBe(0);
    expect(
      await o.keychain.credentialsFor({ registry: 'docker.io', repository: 'library/ubuntu' }),
    ).toBeUndefined();
  });

  it('normalises mirror and insecure registry names (Hub aliases become docker.io)', () => {
    const dispatcher = new MockAgent();
    const o = resolveRegistryResolverOptions({
      dispatcher,
      mirrors: { 'index.docker.io': ['https://mirror.example'] },
      insecureRegistries: ['HTTP://Reg.Example:5000/'],
    });
    expect(o.mirrors.get('docker.io')).toEqual(['https://mirror.example']);
    expect(o.insecureRegistries.has('reg.example:5000')).toBe(true);
    expect(o.dispatcher).toBe(dispatcher);
  });

  it.each([
    [{ HTTPS_PROXY: 'http://proxy.example:3128' }, { httpsProxy: 'http://proxy.example:3128' }],
    [
      { http_proxy: 'http://proxy.example:3128', NO_PROXY: '127.0.0.1' },
      { httpProxy: 'http://proxy.example:3128', noProxy: '127.0.0.1' },
    ],
    [{ NO_PROXY: '*' }, undefined],
  ])('proxy environment %j is the proxy %j (no pool is built here)', (env, proxy) => {
    const o = resolveRegistryResolverOptions({ env });
    expect(o.proxy).toEqual(proxy);
    expect(o.dispatcher).toBeUndefined();
  });

  it('rejects a plain-HTTP mirror that is neither insecure nor loopback when the options are built', () => {
    const dispatcher = new MockAgent();
    expect(() =>
      resolveRegistryResolverOptions({ dispatcher, mirrors: { 'docker.io': ['http://mirror.example'] } }),
    ).toThrow(/refusing plain HTTP/);
    expect(
      resolveRegistryResolverOptions({
        dispatcher,
        mirrors: { 'docker.io': ['http://mirror.example'] },
        insecureRegistries: ['mirror.example'],
      }).mirrors.get('docker.io'),
    ).toEqual(['http://mirror.example']);
  });

  it('proxy: false ignores the environment', async () => {
    const o = resolveRegistryResolverOptions({
      env: { HTTPS_PROXY: 'http://proxy.example:3128' },
      proxy: false,
    });
    expect(o.proxy).toBeUndefined();
  });
});
