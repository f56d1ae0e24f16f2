import { hasErrorCode } from '@agentbox/core';
import {
  type FaultProxy,
  type PushedImage,
  pushImage,
  registryFromProvided,
  startFaultProxy,
} from '@agentbox/testenv';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRegistryResolver, createStaticKeychain } from '../src/index.js';
import { BACKENDS, type ResolverUnderTest, uniqueRepository } from './backends.js';

const registries = inject('registries');
const handle = registryFromProvided(registries.none);
// Faults hit manifest requests only: docker-registry-client pings `/v2/` first, the undici backend does not.
const MANIFESTS = { path: '/manifests/' };

/** The pushed image as seen through the proxy (same repository and tag, the proxy's host). */
function through(proxy: FaultProxy, image: PushedImage): string {
  return `${proxy.host}/${image.repository}:${image.tag}`;
}

// SCENARIOS "resolvers": 429 + Retry-After, 5xx back-off, timeouts, the GET fallback and body verification,
// through a fault proxy in front of each real registry implementation, for both backends.
describe.each([
  { label: 'Distribution', key: 'none' as const },
  { label: 'crane registry (go-containerregistry)', key: 'crane' as const },
])('$label', ({ key }) => {
  const provided = registries[key];
  const upstream = registryFromProvided(provided);
  describe.each(BACKENDS)('$name backend behind a fault proxy', (backend) => {
    let proxy: FaultProxy;
    let image: PushedImage;
    let index: PushedImage;
    let under: ResolverUnderTest;
    beforeAll(async () => {
      proxy = await startFaultProxy(provided.url);
      image = await pushImage(upstream, { repository: uniqueRepository('faults'), kind: 'docker-v2' });
      index = await pushImage(upstream, { repository: uniqueRepository('faults'), kind: 'oci-index' });
      under = backend.create({ retries: 3, retryBaseDelayMs: 10, requestTimeoutMs: 2_000 });
    });
    afterEach(() => {
      proxy.clearFaults();
      proxy.resetCounters();
    });
    afterAll(async () => {
      await under.close();
      await proxy.stop();
    });

    it('429 with Retry-After, then success: resolved after the wait', async () => {
      proxy.respond429(1, 1, MANIFESTS);
      expect(await under.resolver.resolve(through(proxy, image))).toBe(image.digest);
      const manifestRequests = proxy.requests({ path: '/manifests/' });
      expect(manifestRequests[0]).toMatchObject({ status: 429, fault: 'respond429' });
      expect(manifestRequests.at(-1)?.status).toBe(200);
    });

    it('429 asking for a longer wait than allowed fails at once with TooManyRequests', async () => {
      const impatient = backend.create({ retries: 3, maxRetryAfterMs: 500 });
      proxy.respond429(5, 30, MANIFESTS);
      const err = await impatient.resolver.resolve(through(proxy, image)).catch((e: unknown) => e);
      await impatient.close();
      expect(hasErrorCode(err, 'TooManyRequests')).toBe(true);
      expect(err).toMatchObject({ status: 429, retryable: true });
      expect(proxy.requestCount({ path: '/manifests/' })).toBe(1);
    });

    it('5xx twice, then success: retried with back-off', async () => {
      proxy.respond5xx(2, 503, MANIFESTS);
      expect(await under.resolver.resolve(through(proxy, image))).toBe(image.digest);
      expect(proxy.requests({ path: '/manifests/' }).map((r) => r.status)).toEqual([503, 503, 200]);
    });

    it('5xx on every attempt: RegistryUnavailable with the status, after the retries', async () => {
      proxy.respond5xx(10, 502, MANIFESTS);
      const err = await under.resolver.resolve(through(proxy, image)).catch((e: unknown) => e);
      expect(hasErrorCode(err, 'RegistryUnavailable')).toBe(true);
      expect(err).toMatchObject({ status: 502, registry: proxy.host, repository: image.repository });
      expect(proxy.requestCount({ path: '/manifests/' })).toBe(4);
    });

    it('a dropped connection is retried', async () => {
      proxy.dropConnection(1, MANIFESTS);
      expect(await under.resolver.resolve(through(proxy, image))).toBe(image.digest);
    });

    it('a registry slower than the request timeout: Timeout error with code', async () => {
      const hasty = backend.create({ requestTimeoutMs: 200, retries: 0 });
      proxy.latency(1_500);
      const err = await hasty.resolver.resolve(through(proxy, image)).catch((e: unknown) => e);
      await hasty.close();
      expect(hasErrorCode(err, 'Timeout')).toBe(true);
      expect(err).toMatchObject({ registry: proxy.host, repository: image.repository, retryable: true });
    });

    it('no Docker-Content-Digest: digest = sha256 of the GET body', async () => {
      proxy.stripDigestHeader(true);
      expect(await under.resolver.resolve(through(proxy, index))).toBe(index.digest);
      expect(proxy.requestCount({ method: 'GET', path: '/manifests/' })).toBe(1);
    });

    it.each([
      ['docker-v2', () => image],
      ['oci-index', () => index],
    ])(
      'HEAD answered 405 Method Not Allowed: the %s digest comes from a verified GET',
      async (_kind, pushed) => {
        proxy.rejectMethod('HEAD');
        expect(await under.resolver.resolve(through(proxy, pushed()))).toBe(pushed().digest);
        expect(proxy.requestCount({ method: 'GET', path: '/manifests/' })).toBe(1);
        expect(proxy.requests({ path: '/manifests/' }).at(-1)).toMatchObject({ method: 'GET', status: 200 });
      },
    );

    it('HEAD answered 405 and the tag missing: ManifestUnknown from the GET', async () => {
      proxy.rejectMethod('HEAD');
      const err = await under.resolver
        .resolve(`${proxy.host}/${image.repository}:no-such-tag`)
        .catch((e: unknown) => e);
      expect(hasErrorCode(err, 'ManifestUnknown')).toBe(true);
      expect(err).toMatchObject({ status: 404 });
    });

    it('a body that does not hash to the digest it was fetched by: DigestMismatch', async () => {
      proxy.corruptBody(true);
      const err = await under.resolver
        .resolveConfigDigest(`${proxy.host}/${image.repository}@${image.digest}`)
        .catch((e: unknown) => e);
      expect(hasErrorCode(err, 'DigestMismatch')).toBe(true);
    });

    it('a manifest above the size bound: ManifestTooLarge', async () => {
      const small = backend.create({ maxManifestBytes: 64 });
      const err = await small.resolver.resolveConfigDigest(through(proxy, image)).catch((e: unknown) => e);
      await small.close();
      expect(hasErrorCode(err, 'ManifestTooLarge')).toBe(true);
    });
  });
});

describe('undici backend specifics behind a fault proxy', () => {
  let proxy: FaultProxy;
  let image: PushedImage;
  beforeAll(async () => {
    proxy = await startFaultProxy(registries.none.url);
    image = await pushImage(handle, { repository: uniqueRepository('head'), kind: 'oci-index' });
  });
  afterEach(() => {
    proxy.clearFaults();
    proxy.resetCounters();
  });
  afterAll(() => proxy.stop());

  it('one HEAD per lookup, no GET, when the registry sends Docker-Content-Digest', async () => {
    const resolver = createRegistryResolver({});
    expect(await resolver.resolve(through(proxy, image))).toBe(image.digest);
    await resolver.close();
    expect(proxy.requests().map((r) => r.method)).toEqual(['HEAD']);
  });

  it('HEAD answered 405: one rejected HEAD, then GETs only for the life of the resolver', async () => {
    const resolver = createRegistryResolver({});
    proxy.rejectMethod('HEAD');
    try {
      for (let i = 0; i < 3; i++) expect(await resolver.resolve(through(proxy, image))).toBe(image.digest);
      expect(proxy.requests().map((r) => [r.method, r.status])).toEqual([
        ['HEAD', 405],
        ['GET', 200],
        ['GET', 200],
        ['GET', 200],
      ]);
      // Corrupted GET bodies under the announced digest are still caught on the fallback path.
      proxy.corruptBody(true);
      const err = await resolver.resolve(through(proxy, image)).catch((e: unknown) => e);
      expect(hasErrorCode(err, 'DigestMismatch')).toBe(true);
    } finally {
      await resolver.close();
    }
  });

  it('HEAD answered 405 by a token-auth registry: the GET authenticates and yields the digest', async () => {
    const token = registries.token;
    const tokenProxy = await startFaultProxy(token.url);
    try {
      const pushed = await pushImage(registryFromProvided(token), {
        repository: uniqueRepository('head405'),
      });
      tokenProxy.rejectMethod('HEAD');
      const resolver = createRegistryResolver({
        keychain: createStaticKeychain({
          [tokenProxy.host]: { kind: 'basic', username: token.username, password: token.password },
        }),
      });
      const reference = `${tokenProxy.host}/${pushed.repository}:${pushed.tag}`;
      expect(await resolver.resolve(reference)).toBe(pushed.digest);
      expect(await resolver.resolve(reference)).toBe(pushed.digest);
      await resolver.close();
      expect(tokenProxy.requests().map((r) => [r.method, r.status])).toEqual([
        ['HEAD', 405],
        ['GET', 401],
        ['GET', 200],
        ['GET', 200],
      ]);
    } finally {
      await tokenProxy.stop();
    }
  });

  it('a corrupted body under an announced Docker-Content-Digest is a DigestMismatch', async () => {
    const resolver = createRegistryResolver({});
    proxy.corruptBody(true);
    const err = await resolver.resolveConfigDigest(through(proxy, image)).catch((e: unknown) => e);
    await resolver.close();
    expect(hasErrorCode(err, 'DigestMismatch')).toBe(true);
  });

  it('mirrors are tried first; a failing mirror falls through to the upstream', async () => {
    const upstream = registries.none.host;
    const reference = `${upstream}/${image.repository}:${image.tag}`;
    const resolver = createRegistryResolver({ mirrors: { [upstream]: [proxy.url] }, retries: 0 });
    try {
      expect(await resolver.resolve(reference)).toBe(image.digest);
      expect(proxy.requestCount({ method: 'HEAD' })).toBe(1);
      proxy.respond5xx(1, 500);
      expect(await resolver.resolve(reference)).toBe(image.digest);
      expect(proxy.requestCount({ method: 'HEAD' })).toBe(2);
    } finally {
      await resolver.close();
    }
  });

  it('an aborted signal stops the lookup with the caller’s reason', async () => {
    const resolver = createRegistryResolver({});
    proxy.latency(1_000);
    const controller = new AbortController();
    const pending = resolver
      .resolve(through(proxy, image), { signal: controller.signal })
      .catch((e: unknown) => e);
    setTimeout(() => controller.abort(new Error('caller gave up')), 50);
    const err = await pending;
    await resolver.close();
    expect((err as Error).message).toBe('caller gave up');
  });

  it('a Basic registry behind the proxy gets the credentials of the host it is addressed by', async () => {
    const basic = registries.basic;
    const basicProxy = await startFaultProxy(basic.url);
    try {
      const pushed = await pushImage(registryFromProvided(basic), {
        repository: uniqueRepository('proxied'),
      });
      const resolver = createRegistryResolver({
        keychain: createStaticKeychain({
          [basicProxy.host]: { kind: 'basic', username: basic.username, password: basic.password },
        }),
      });
      expect(await resolver.resolve(`${basicProxy.host}/${pushed.repository}:${pushed.tag}`)).toBe(
        pushed.digest,
      );
      // First HEAD is challenged; afterwards the remembered challenge authenticates up front.
      await resolver.resolve(`${basicProxy.host}/${pushed.repository}:${pushed.tag}`);
      expect(basicProxy.requests().map((r) => r.status)).toEqual([401, 200, 200]);
      await resolver.close();
    } finally {
      await basicProxy.stop();
    }
  });
});
