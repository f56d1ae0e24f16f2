import { Agent, EnvHttpProxyAgent, MockAgent } from 'undici';
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
      ownsDispatcher: true,
      platform: { os: 'linux', architecture: 'amd64' },
      maxManifestBytes: 4 * 1024 * 1024,
    });
    expect(DEFAULT_MAX_MANIFEST_BYTES).toBe(4_194_304);
    expect(o.dispatcher).toBeInstanceOf(Agent);
    expect(o.mirrors.size).toBe(0);
    expect(o.insecureRegistries.size).toBe(0);
    expect(
      await o.keychain.credentialsFor({ registry: 'docker.io', repository: 'library/ubuntu' }),
    ).toBeUndefined();
    await o.dispatcher.close();
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
    expect(o.ownsDispatcher).toBe(false);
  });

  it.each([
    [{ HTTPS_PROXY: 'http://proxy.example:3128' }, EnvHttpProxyAgent],
    [{ http_proxy: 'http://proxy.example:3128', NO_PROXY: '127.0.0.1' }, EnvHttpProxyAgent],
    [{ NO_PROXY: '*' }, Agent],
  ])('proxy environment %j builds a %o', async (env, kind) => {
    const o = resolveRegistryResolverOptions({ env });
    expect(o.dispatcher).toBeInstanceOf(kind);
    await o.dispatcher.close();
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
    expect(o.dispatcher).toBeInstanceOf(Agent);
    await o.dispatcher.close();
  });
});
