import { randomUUID } from 'node:crypto';
import { hasErrorCode } from '@agentbox/core';
import { FakeClock } from '@agentbox/core/testing';
import {
  createRegistryResolver,
  type RegistryResolver,
  type SecretReader,
} from '@agentbox/resolver-registry';
import {
  type FaultProxy,
  pullSecretReaderFor,
  pushImage,
  registryFromProvided,
  startFaultProxy,
} from '@agentbox/testenv';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { withCache } from '../src/index.js';

const registries = inject('registries');
const uniqueRepository = (what: string): string => `resolver-cache/${what}-${randomUUID().slice(0, 8)}`;

// SCENARIOS "resolvers", the Cache line, against the real registry: every registry
// request is counted by a proxy in front of it.
describe('withCache over createRegistryResolver, anonymous registry behind a counting proxy', () => {
  const registry = registryFromProvided(registries.none);
  let proxy: FaultProxy;
  let resolver: RegistryResolver;
  const viaProxy = (repository: string, tag: string): string => `${proxy.host}/${repository}:${tag}`;

  beforeAll(async () => {
    proxy = await startFaultProxy(registry.url);
    resolver = createRegistryResolver({ proxy: false, env: {} });
  });
  afterAll(async () => {
    await resolver?.close();
    await proxy?.stop();
  });
  beforeEach(() => {
    proxy.clearFaults();
    proxy.resetCounters();
  });

  it('1000 concurrent resolves of one tag make exactly one registry request', async () => {
    const repository = uniqueRepository('single-flight');
    const pushed = await pushImage(registry, { repository, tag: 'v1' });
    const cached = withCache(resolver);
    const ref = viaProxy(repository, 'v1');

    const digests = await Promise.all(Array.from({ length: 1000 }, () => cached.resolve(ref)));

    expect(new Set(digests)).toEqual(new Set([pushed.digest]));
    expect(proxy.requests()).toEqual([
      { method: 'HEAD', path: `/v2/${repository}/manifests/v1`, status: 200, fault: undefined },
    ]);
    expect(cached.stats()).toMatchObject({ misses: 1, joins: 999, errors: 0, size: 1, inFlight: 0 });
    await cached.resolve(ref);
    expect(proxy.requestCount()).toBe(1);
  });

  it('a missing tag fails with ManifestUnknown, cached for the negative TTL only', async () => {
    const repository = uniqueRepository('negative');
    const clock = new FakeClock();
    const cached = withCache(resolver, { clock, ttlMs: 60_000, negativeTtlMs: 5_000 });
    const ref = viaProxy(repository, 'v1');

    const first = await cached.resolve(ref).catch((e: unknown) => e);
    expect(hasErrorCode(first, 'ManifestUnknown')).toBe(true);
    expect(proxy.requestCount()).toBe(1);

    const pushed = await pushImage(registry, { repository, tag: 'v1' });
    clock.advance(4_999);
    expect(await cached.resolve(ref).catch((e: unknown) => e)).toBe(first);
    expect(proxy.requestCount()).toBe(1);

    clock.advance(1);
    expect(await cached.resolve(ref)).toBe(pushed.digest);
    expect(proxy.requestCount()).toBe(2);
    expect(await cached.resolve(ref)).toBe(pushed.digest);
    expect(proxy.requestCount()).toBe(2);
    expect(cached.stats()).toMatchObject({ hits: 2, misses: 2, errors: 1 });
  });

  it('a re-pushed tag keeps its old digest until the TTL passes, then resolves anew', async () => {
    const repository = uniqueRepository('ttl');
    const clock = new FakeClock();
    const cached = withCache(resolver, { clock, ttlMs: 60_000 });
    const ref = viaProxy(repository, 'v1');
    const old = await pushImage(registry, { repository, tag: 'v1' });
    expect(await cached.resolve(ref)).toBe(old.digest);

    const repushed = await pushImage(registry, { repository, tag: 'v1' });
    expect(repushed.digest).not.toBe(old.digest);
    clock.advance(59_999);
    expect(await cached.resolve(ref)).toBe(old.digest);
    expect(proxy.requestCount()).toBe(1);

    clock.advance(1);
    expect(await cached.resolve(ref)).toBe(repushed.digest);
    expect(proxy.requestCount()).toBe(2);
  });

  it('a re-pushed tag resolves anew right after invalidate', async () => {
    const repository = uniqueRepository('invalidate');
    const cached = withCache(resolver, { clock: new FakeClock() });
    const ref = viaProxy(repository, 'v1');
    const old = await pushImage(registry, { repository, tag: 'v1' });
    expect(await cached.resolve(ref)).toBe(old.digest);

    const repushed = await pushImage(registry, { repository, tag: 'v1' });
    expect(await cached.resolve(ref)).toBe(old.digest);
    expect(cached.invalidate(ref)).toBe(1);
    expect(await cached.resolve(ref)).toBe(repushed.digest);
    expect(proxy.requestCount()).toBe(2);
  });

  it('caches config digests apart from manifest digests', async () => {
    const repository = uniqueRepository('config');
    const pushed = await pushImage(registry, { repository, tag: 'v1', kind: 'oci-index' });
    const cached = withCache(resolver);
    const ref = viaProxy(repository, 'v1');

    expect(await cached.resolveConfigDigest(ref)).toBe(pushed.configDigest);
    const configRequests = proxy.requestCount();
    expect(configRequests).toBeGreaterThanOrEqual(2); // the index, then the linux/amd64 child
    expect(await cached.resolveConfigDigest(ref)).toBe(pushed.configDigest);
    expect(await cached.resolve(ref)).toBe(pushed.digest);
    expect(await cached.resolve(ref)).toBe(pushed.digest);
    expect(proxy.requestCount()).toBe(configRequests + 1);
  });

  it('a digest reference resolves without any request and is not cached', async () => {
    const repository = uniqueRepository('digest-ref');
    const pushed = await pushImage(registry, { repository, tag: 'v1' });
    const cached = withCache(resolver);
    expect(await cached.resolve(`${proxy.host}/${repository}@${pushed.digest}`)).toBe(pushed.digest);
    expect(proxy.requestCount()).toBe(0);
    expect(cached.stats()).toMatchObject({ size: 0, misses: 0, hits: 0 });
  });

  it('a caller that aborts does not cancel the request the others wait for', async () => {
    const repository = uniqueRepository('abort-one');
    const pushed = await pushImage(registry, { repository, tag: 'v1' });
    const cached = withCache(resolver);
    const ref = viaProxy(repository, 'v1');
    const quitter = new AbortController();

    const aborted = cached.resolve(ref, { signal: quitter.signal });
    const others = Promise.all([
      cached.resolve(ref),
      cached.resolve(ref, { signal: new AbortController().signal }),
    ]);
    quitter.abort();

    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    expect(await others).toEqual([pushed.digest, pushed.digest]);
    expect(proxy.requests().map((r) => r.status)).toEqual([200]);
    expect(cached.stats()).toMatchObject({ size: 1, errors: 0 });
  });

  it('when every caller aborts, the shared request is abandoned and nothing is cached', async () => {
    const repository = uniqueRepository('abort-all');
    const pushed = await pushImage(registry, { repository, tag: 'v1' });
    const cached = withCache(resolver);
    const ref = viaProxy(repository, 'v1');
    const callers = [new AbortController(), new AbortController()];

    const pending = callers.map((c) => cached.resolve(ref, { signal: c.signal }));
    for (const c of callers) c.abort();

    for (const p of pending) await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(cached.stats()).toMatchObject({ size: 0, inFlight: 0, errors: 0 });
    expect(await cached.resolve(ref)).toBe(pushed.digest);
    expect(cached.stats()).toMatchObject({ misses: 2, errors: 0, size: 1 });
  });
});

describe('withCache keys carry the credential identity (basic-auth registry, pull secrets)', () => {
  const provided = registries.basic;
  const registry = registryFromProvided(provided);
  const secrets: SecretReader = pullSecretReaderFor(provided, 'team-a', 'regcred');
  let resolver: RegistryResolver;
  beforeAll(() => {
    resolver = createRegistryResolver({ secretReader: secrets, proxy: false, env: {} });
  });
  afterAll(async () => {
    await resolver?.close();
  });

  it('a digest fetched with a pull secret never answers a caller without it', async () => {
    const repository = uniqueRepository('identity');
    const pushed = await pushImage(registry, { repository, tag: 'v1' });
    const cached = withCache(resolver);
    const ref = `${provided.host}/${repository}:v1`;

    expect(await cached.resolve(ref, { namespace: 'team-a', pullSecrets: ['regcred'] })).toBe(pushed.digest);
    for (const opts of [
      undefined,
      { namespace: 'team-a' },
      { namespace: 'team-b', pullSecrets: ['regcred'] },
    ]) {
      const err = await cached.resolve(ref, opts).catch((e: unknown) => e);
      expect(hasErrorCode(err, 'Unauthorized')).toBe(true);
    }
    expect(await cached.resolve(ref, { namespace: 'team-a', pullSecrets: ['regcred'] })).toBe(pushed.digest);
    expect(cached.stats()).toMatchObject({ misses: 4, hits: 1, errors: 3 });
  });
});
