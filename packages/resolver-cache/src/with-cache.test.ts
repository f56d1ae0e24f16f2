import type { DigestResolver, ResolveOptions } from '@agentbox/core';
import {
  FakeClock,
  fakeDigest,
  UnseededReferenceError,
  type ResolverCall,
  SeededDigestResolver,
} from '@agentbox/core/testing';
import { describe, expect, it } from 'vitest';
import type { CacheEvent } from './cache-event.js';
import { withCache } from './with-cache.js';

const digest = (n: number): string => fakeDigest(`image-${n}`);
const UBUNTU = 'docker.io/library/ubuntu:latest';
const APP = '127.0.0.1:5000/team/app:v1';

/**
 * core's seeded resolver behind a gate: `hold()` keeps every call in flight until
 * released (so joins and aborts can be staged), and a held call rejects with its
 * signal's reason when aborted, as the real resolver does. Calls are recorded as they
 * start, with the options the cache passed.
 */
class GatedResolver implements DigestResolver {
  readonly seeded = new SeededDigestResolver();
  readonly calls: ResolverCall[] = [];
  #gate: Promise<void> | undefined;

  hold(): () => void {
    let release!: () => void;
    this.#gate = new Promise((resolve) => {
      release = resolve;
    });
    return () => {
      this.#gate = undefined;
      release();
    };
  }

  async resolve(ref: string, opts?: ResolveOptions): Promise<string> {
    this.calls.push({ method: 'resolve', ref, opts });
    await this.#wait(opts?.signal);
    return this.seeded.resolve(ref, opts);
  }

  async resolveConfigDigest(ref: string, opts?: ResolveOptions): Promise<string> {
    this.calls.push({ method: 'resolveConfigDigest', ref, opts });
    await this.#wait(opts?.signal);
    return this.seeded.resolveConfigDigest(ref, opts);
  }

  digestFromStatus(image: string, imageID: string): string {
    return this.seeded.digestFromStatus(image, imageID);
  }

  async #wait(signal: AbortSignal | undefined): Promise<void> {
    const gate = this.#gate;
    if (gate === undefined) return;
    await new Promise<void>((resolve, reject) => {
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      gate.then(resolve);
    });
  }
}

function setup(options: Parameters<typeof withCache>[1] = {}) {
  const upstream = new GatedResolver();
  const clock = new FakeClock();
  const events: CacheEvent[] = [];
  const cached = withCache(upstream, { clock, onEvent: (e) => events.push(e), ...options });
  upstream.seeded.setDigest(UBUNTU, digest(1));
  upstream.seeded.setDigest(APP, digest(2));
  upstream.seeded.setConfigDigest(UBUNTU, digest(11));
  return { upstream, clock, events, cached };
}

/** Lets pending promise continuations run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('withCache: positive entries', () => {
  it('answers a repeated resolve from the cache until the TTL passes', async () => {
    const { upstream, clock, cached } = setup({ ttlMs: 1_000 });
    expect(await cached.resolve('ubuntu')).toBe(digest(1));
    upstream.seeded.setDigest(UBUNTU, digest(3)); // re-pushed
    clock.advance(999);
    expect(await cached.resolve('ubuntu')).toBe(digest(1));
    clock.advance(1);
    expect(await cached.resolve('ubuntu')).toBe(digest(3));
    expect(upstream.calls).toHaveLength(2);
    expect(cached.stats()).toMatchObject({ hits: 1, misses: 2, joins: 0, errors: 0, size: 1, inFlight: 0 });
  });

  it.each([
    ['ubuntu', 'docker.io/library/ubuntu:latest'],
    ['ubuntu:latest', 'library/ubuntu'],
    ['docker.io/library/ubuntu', 'ubuntu'],
  ])('%s and %s share one entry', async (first, second) => {
    const { upstream, cached } = setup();
    expect(await cached.resolve(first)).toBe(digest(1));
    expect(await cached.resolve(second)).toBe(digest(1));
    expect(upstream.calls).toHaveLength(1);
  });

  it('keeps resolve and resolveConfigDigest apart', async () => {
    const { upstream, cached } = setup();
    expect(await cached.resolve('ubuntu')).toBe(digest(1));
    expect(await cached.resolveConfigDigest('ubuntu')).toBe(digest(11));
    expect(await cached.resolveConfigDigest('ubuntu')).toBe(digest(11));
    expect(upstream.calls.map((c) => c.method)).toEqual(['resolve', 'resolveConfigDigest']);
  });

  it('stores nothing with ttlMs 0 but still shares calls in flight', async () => {
    const { upstream, cached } = setup({ ttlMs: 0 });
    const release = upstream.hold();
    const both = Promise.all([cached.resolve(APP), cached.resolve(APP)]);
    release();
    expect(await both).toEqual([digest(2), digest(2)]);
    expect(await cached.resolve(APP)).toBe(digest(2));
    expect(upstream.calls).toHaveLength(2);
    expect(cached.stats()).toMatchObject({ misses: 2, joins: 1, size: 0 });
  });
});

describe('withCache: negative entries', () => {
  it('re-throws a failure (same instance) for the negative TTL only', async () => {
    const { upstream, clock, cached } = setup({ ttlMs: 60_000, negativeTtlMs: 500 });
    const first = await cached.resolve('ghost:v1').catch((e: unknown) => e);
    expect(first).toBeInstanceOf(UnseededReferenceError);
    const second = await cached.resolve('ghost:v1').catch((e: unknown) => e);
    expect(second).toBe(first);
    expect(upstream.calls).toHaveLength(1);
    upstream.seeded.setDigest('docker.io/library/ghost:v1', digest(7)); // pushed meanwhile
    clock.advance(500);
    expect(await cached.resolve('ghost:v1')).toBe(digest(7));
    expect(upstream.calls).toHaveLength(2);
    expect(cached.stats()).toMatchObject({ hits: 1, misses: 2, errors: 1 });
  });

  it('does not cache failures with negativeTtlMs 0', async () => {
    const { upstream, cached } = setup({ negativeTtlMs: 0 });
    await expect(cached.resolve('ghost')).rejects.toBeInstanceOf(UnseededReferenceError);
    await expect(cached.resolve('ghost')).rejects.toBeInstanceOf(UnseededReferenceError);
    expect(upstream.calls).toHaveLength(2);
    expect(cached.stats()).toMatchObject({ errors: 2, size: 0 });
  });

  it.each([
    ['an AbortError', () => new DOMException('a neighbour gave up', 'AbortError')],
    ['a TimeoutError of a signal', () => new DOMException('signal timed out', 'TimeoutError')],
  ])(
    'never stores %s from upstream as a negative entry (it is no answer about the image)',
    async (_n, make) => {
      let calls = 0;
      const upstream: DigestResolver = {
        resolve: () => {
          calls++;
          return calls === 1 ? Promise.reject(make()) : Promise.resolve(digest(3));
        },
        resolveConfigDigest: () => Promise.reject(new Error('unused')),
        digestFromStatus: () => digest(0),
      };
      const cached = withCache(upstream, { negativeTtlMs: 60_000 });
      await expect(cached.resolve('ubuntu')).rejects.toMatchObject({ name: make().name });
      expect(await cached.resolve('ubuntu')).toBe(digest(3));
      expect(calls).toBe(2);
    },
  );

  it('caches a rejection even when its reason is undefined', async () => {
    const upstream: DigestResolver = {
      resolve: () => Promise.reject(undefined),
      resolveConfigDigest: () => Promise.reject(undefined),
      digestFromStatus: () => digest(0),
    };
    const cached = withCache(upstream);
    await expect(cached.resolve('ubuntu')).rejects.toBeUndefined();
    await expect(cached.resolve('ubuntu')).rejects.toBeUndefined();
    expect(cached.stats()).toMatchObject({ hits: 1, misses: 1, errors: 1 });
  });

  it('turns an upstream that throws synchronously into a cached rejection', async () => {
    const boom = new Error('synchronous');
    const upstream: DigestResolver = {
      resolve: () => {
        throw boom;
      },
      resolveConfigDigest: () => {
        throw boom;
      },
      digestFromStatus: () => digest(0),
    };
    const cached = withCache(upstream);
    await expect(cached.resolve('ubuntu')).rejects.toBe(boom);
    await expect(cached.resolve('ubuntu')).rejects.toBe(boom);
    expect(cached.stats()).toMatchObject({ hits: 1, misses: 1, errors: 1 });
  });
});

describe('withCache: LRU bound', () => {
  it('evicts the least recently used entry beyond maxEntries', async () => {
    const { upstream, cached, events } = setup({ maxEntries: 2 });
    upstream.seeded.setDigest('docker.io/library/c:latest', digest(3));
    await cached.resolve('ubuntu');
    await cached.resolve(APP);
    await cached.resolve('ubuntu'); // ubuntu is now the most recently used
    await cached.resolve('c');
    expect(cached.stats()).toMatchObject({ evictions: 1, size: 2 });
    expect(events).toContainEqual({ type: 'evict', operation: 'resolve', reference: APP });
    await cached.resolve('ubuntu');
    expect(upstream.calls.map((c) => c.ref)).toEqual(['ubuntu', APP, 'c']);
    await cached.resolve(APP);
    expect(upstream.calls.map((c) => c.ref)).toEqual(['ubuntu', APP, 'c', APP]);
  });
});

describe('withCache: single-flight', () => {
  it('makes one upstream call for 1000 concurrent misses of one key', async () => {
    const { upstream, cached } = setup();
    const release = upstream.hold();
    const all = Array.from({ length: 1000 }, (_, i) => cached.resolve(i % 2 === 0 ? 'ubuntu' : UBUNTU));
    expect(cached.stats()).toMatchObject({ misses: 1, joins: 999, inFlight: 1 });
    release();
    expect(new Set(await Promise.all(all))).toEqual(new Set([digest(1)]));
    expect(upstream.calls).toHaveLength(1);
    expect(cached.stats()).toMatchObject({ inFlight: 0, size: 1 });
  });

  it('shares a failure with every joiner', async () => {
    const { upstream, cached } = setup();
    const release = upstream.hold();
    const all = Array.from({ length: 10 }, () => cached.resolve('ghost').catch((e: unknown) => e));
    release();
    const errors = await Promise.all(all);
    expect(new Set(errors).size).toBe(1);
    expect(errors[0]).toBeInstanceOf(UnseededReferenceError);
    expect(upstream.calls).toHaveLength(1);
    expect(cached.stats()).toMatchObject({ errors: 1, joins: 9 });
  });

  it('never hands the caller signal upstream: the shared call has its own', async () => {
    const { upstream, cached } = setup();
    const caller = new AbortController();
    await cached.resolve('ubuntu', { namespace: 'ns', pullSecrets: ['s'], signal: caller.signal });
    const opts = upstream.calls[0]?.opts;
    expect(opts).toMatchObject({ namespace: 'ns', pullSecrets: ['s'] });
    expect(opts?.signal).toBeInstanceOf(AbortSignal);
    expect(opts?.signal).not.toBe(caller.signal);
  });
});

describe('withCache: aborts', () => {
  it('rejects an already aborted call without touching upstream', async () => {
    const { upstream, cached } = setup();
    const reason = new Error('gone');
    await expect(cached.resolve('ubuntu', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(upstream.calls).toHaveLength(0);
  });

  it('fails only the caller that aborts; the others get the digest and it is stored', async () => {
    const { upstream, cached } = setup();
    const release = upstream.hold();
    const quitter = new AbortController();
    const patient = new AbortController();
    const a = cached.resolve('ubuntu', { signal: quitter.signal });
    const b = cached.resolve('ubuntu', { signal: patient.signal });
    const c = cached.resolve('ubuntu');
    quitter.abort(new Error('quit'));
    await expect(a).rejects.toThrow('quit');
    expect(upstream.calls[0]?.opts?.signal?.aborted).toBe(false);
    release();
    expect(await b).toBe(digest(1));
    expect(await c).toBe(digest(1));
    expect(cached.stats()).toMatchObject({ size: 1, errors: 0 });
  });

  it('keeps the call alive while a caller without a signal waits', async () => {
    const { upstream, cached } = setup();
    const release = upstream.hold();
    const quitter = new AbortController();
    const pinned = cached.resolve('ubuntu');
    const a = cached.resolve('ubuntu', { signal: quitter.signal });
    quitter.abort();
    await expect(a).rejects.toMatchObject({ name: 'AbortError' });
    expect(upstream.calls[0]?.opts?.signal?.aborted).toBe(false);
    release();
    expect(await pinned).toBe(digest(1));
  });

  it('aborts the upstream call once every caller aborted, and caches nothing', async () => {
    const { upstream, cached } = setup();
    const release = upstream.hold();
    const one = new AbortController();
    const two = new AbortController();
    const a = cached.resolve('ubuntu', { signal: one.signal });
    const b = cached.resolve('ubuntu', { signal: two.signal });
    one.abort(new Error('one'));
    two.abort(new Error('two'));
    await expect(a).rejects.toThrow('one');
    await expect(b).rejects.toThrow('two');
    expect(upstream.calls[0]?.opts?.signal?.aborted).toBe(true);
    expect(cached.stats()).toMatchObject({ inFlight: 0, size: 0, errors: 0 });
    release();
    await settle();
    expect(cached.stats()).toMatchObject({ size: 0, errors: 0 });
    expect(await cached.resolve('ubuntu')).toBe(digest(1));
    expect(upstream.calls).toHaveLength(2);
  });
});

describe('withCache: invalidate and clear', () => {
  it('invalidate makes the next resolve ask upstream (re-pushed tag)', async () => {
    const { upstream, cached } = setup();
    expect(await cached.resolve(APP)).toBe(digest(2));
    upstream.seeded.setDigest(APP, digest(9));
    expect(await cached.resolve(APP)).toBe(digest(2));
    expect(cached.invalidate(APP)).toBe(1);
    expect(await cached.resolve(APP)).toBe(digest(9));
  });

  it('invalidate without options drops every identity and both operations; with options, one identity', async () => {
    const { upstream, cached } = setup();
    await cached.resolve('ubuntu');
    await cached.resolveConfigDigest('ubuntu');
    await cached.resolve('ubuntu', { namespace: 'a', pullSecrets: ['s'] });
    await cached.resolve('ubuntu', { namespace: 'b' });
    await cached.resolve(APP);
    expect(cached.invalidate('ubuntu', { namespace: 'a', pullSecrets: ['s'] })).toBe(1);
    expect(cached.stats().size).toBe(4);
    expect(cached.invalidate('docker.io/library/ubuntu:latest')).toBe(3);
    expect(cached.stats().size).toBe(1);
    const before = upstream.calls.length;
    await cached.resolve(APP);
    expect(upstream.calls).toHaveLength(before);
  });

  it.each([
    ['a digest reference', `app@${digest(1)}`],
    ['an unparsable reference', ''],
  ])('invalidate of %s drops nothing', (_what, ref) => {
    const { cached } = setup();
    expect(cached.invalidate(ref)).toBe(0);
  });

  it('a call in flight during invalidate serves its callers but stores nothing', async () => {
    const { upstream, cached } = setup();
    const release = upstream.hold();
    const stale = cached.resolve(APP);
    cached.invalidate(APP);
    expect(cached.stats().inFlight).toBe(0);
    const fresh = cached.resolve(APP); // a new call, not a join
    expect(cached.stats()).toMatchObject({ misses: 2, joins: 0 });
    upstream.seeded.setDigest(APP, digest(9));
    release();
    expect(await stale).toBe(digest(9));
    expect(await fresh).toBe(digest(9));
    expect(upstream.calls).toHaveLength(2);
  });

  it('clear drops every entry and call in flight but keeps the counters', async () => {
    const { upstream, cached, events } = setup();
    await cached.resolve('ubuntu');
    await cached.resolve(APP);
    await cached.resolve(APP);
    const release = upstream.hold();
    const pending = cached.resolve('ghost');
    cached.clear();
    release();
    await expect(pending).rejects.toBeInstanceOf(UnseededReferenceError);
    expect(cached.stats()).toMatchObject({ size: 0, inFlight: 0, hits: 1, misses: 3, errors: 0 });
    expect(events).toContainEqual({ type: 'clear', removed: 2 });
    await cached.resolve(APP);
    expect(upstream.calls.filter((c) => c.ref === APP)).toHaveLength(2);
  });
});

describe('withCache: what never touches the cache', () => {
  it.each([
    ['resolve', `${APP}@${digest(5)}`],
    ['resolve', `ubuntu@${digest(5)}`],
    ['config', `ubuntu@${digest(5)}`],
    ['resolve', 'NOT A REFERENCE'],
  ] as const)('%s(%s) passes straight through, uncached', async (operation, ref) => {
    const { upstream, cached, events } = setup();
    if (operation === 'config') upstream.seeded.setConfigDigest(ref, digest(6));
    const call = () => (operation === 'resolve' ? cached.resolve(ref) : cached.resolveConfigDigest(ref));
    const first = await call().catch((e: unknown) => e);
    const second = await call().catch((e: unknown) => e);
    expect(upstream.calls).toHaveLength(2);
    if (typeof first === 'string') expect(second).toBe(first);
    expect(cached.stats()).toMatchObject({ hits: 0, misses: 0, size: 0 });
    expect(events).toEqual([]);
  });

  it('digestFromStatus is the upstream parser, never cached', () => {
    const { cached, events } = setup();
    expect(cached.digestFromStatus('app', `docker-pullable://app@${digest(4)}`)).toBe(digest(4));
    expect(cached.stats().size).toBe(0);
    expect(events).toEqual([]);
  });
});

describe('withCache: credential identity', () => {
  it('never answers a caller without the secret from an entry fetched with it', async () => {
    const { upstream, cached } = setup();
    const withSecret = { namespace: 'team', pullSecrets: ['regcred'] };
    expect(await cached.resolve(APP, withSecret)).toBe(digest(2));
    upstream.seeded.fail(APP, new UnseededReferenceError('no access')); // what a caller without the secret sees
    await expect(cached.resolve(APP)).rejects.toBeInstanceOf(UnseededReferenceError);
    await expect(cached.resolve(APP, { namespace: 'team' })).rejects.toBeInstanceOf(UnseededReferenceError);
    await expect(
      cached.resolve(APP, { namespace: 'other', pullSecrets: ['regcred'] }),
    ).rejects.toBeInstanceOf(UnseededReferenceError);
    expect(await cached.resolve(APP, { namespace: 'team', pullSecrets: ['regcred', 'regcred'] })).toBe(
      digest(2),
    );
    expect(upstream.calls).toHaveLength(4);
  });

  it('uses a custom identityOf', async () => {
    const { upstream, cached } = setup({ identityOf: () => 'everyone' });
    await cached.resolve(APP, { namespace: 'a' });
    await cached.resolve(APP, { namespace: 'b', pullSecrets: ['x'] });
    expect(upstream.calls).toHaveLength(1);
  });
});

describe('withCache: events', () => {
  it('reports every decision in order', async () => {
    const { upstream, clock, cached, events } = setup({ ttlMs: 100, negativeTtlMs: 10 });
    const release = upstream.hold();
    const both = Promise.all([cached.resolve('ubuntu'), cached.resolve(UBUNTU)]);
    release();
    await both;
    await cached.resolve('ubuntu');
    await cached.resolve('ghost').catch(() => undefined);
    await cached.resolve('ghost').catch(() => undefined);
    clock.advance(100);
    await cached.resolve('ubuntu');
    cached.invalidate('ubuntu');
    const ghost = 'docker.io/library/ghost:latest';
    expect(events.map((e) => ({ ...e, error: undefined }))).toEqual([
      { type: 'miss', operation: 'resolve', reference: UBUNTU, error: undefined },
      { type: 'join', operation: 'resolve', reference: UBUNTU, error: undefined },
      {
        type: 'store',
        operation: 'resolve',
        reference: UBUNTU,
        negative: false,
        ttlMs: 100,
        error: undefined,
      },
      { type: 'hit', operation: 'resolve', reference: UBUNTU, negative: false, error: undefined },
      { type: 'miss', operation: 'resolve', reference: ghost, error: undefined },
      { type: 'error', operation: 'resolve', reference: ghost, error: undefined },
      { type: 'store', operation: 'resolve', reference: ghost, negative: true, ttlMs: 10, error: undefined },
      { type: 'hit', operation: 'resolve', reference: ghost, negative: true, error: undefined },
      { type: 'miss', operation: 'resolve', reference: UBUNTU, error: undefined },
      {
        type: 'store',
        operation: 'resolve',
        reference: UBUNTU,
        negative: false,
        ttlMs: 100,
        error: undefined,
      },
      { type: 'invalidate', reference: UBUNTU, removed: 1, error: undefined },
    ]);
    const error = events.find((e) => e.type === 'error');
    expect(error?.type === 'error' && error.error).toBeInstanceOf(UnseededReferenceError);
  });
});
