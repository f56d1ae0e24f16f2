import { type DigestResolver, type ResolveOptions, systemClock } from '@agentbox/core';
import { LRUCache } from 'lru-cache';
import type { CacheEvent, CacheOperation } from './cache-event.js';
import { cacheKey, keyPrefix, normaliseReference, splitCacheKey } from './cache-key.js';
import { type CacheOptions, type ResolvedCacheOptions, resolveCacheOptions } from './cache-options.js';
import { CacheCounters, type CacheStats } from './cache-stats.js';
import { Flight } from './internal/flight.js';
import { KeyMemo } from './internal/key-memo.js';

/** A {@link DigestResolver} with a cache in front, plus the cache's own controls. */
export interface CachedDigestResolver extends DigestResolver {
  /**
   * Drops what is cached for `ref` (both operations) and detaches calls in flight for it,
   * so the next resolve asks upstream. With `opts`, only that credential identity's
   * entries; without, every identity's. Returns the number of entries dropped.
   */
  invalidate(ref: string, opts?: ResolveOptions): number;
  /** Drops every entry and detaches every call in flight; counters are kept. */
  clear(): void;
  /** The counters since creation and the current sizes. */
  stats(): CacheStats;
}

/**
 * Wraps a resolver with a positive/negative TTL cache bounded by LRU, single-flight per
 * key and credential-aware keys; digest references and `digestFromStatus` pass straight
 * through.
 */
export function withCache(resolver: DigestResolver, options?: CacheOptions): CachedDigestResolver {
  const cache = new ResolverCache(resolver, resolveCacheOptions(options));
  return Object.freeze({
    resolve: (ref: string, opts?: ResolveOptions) => cache.lookup('resolve', ref, opts),
    resolveConfigDigest: (ref: string, opts?: ResolveOptions) => cache.lookup('config', ref, opts),
    digestFromStatus: (image: string, imageID: string) => resolver.digestFromStatus(image, imageID),
    invalidate: (ref: string, opts?: ResolveOptions) => cache.invalidate(ref, opts),
    clear: () => cache.clear(),
    stats: () => cache.stats(),
  });
}

/** A cached failure, re-thrown (the same instance) to every caller until its entry expires. */
class CachedFailure {
  constructor(readonly error: unknown) {}
}

/**
 * A stored outcome until `expiresAt` (clock ms): a digest, or a failure. Two fields only:
 * 100 000 of these must fit the heap budget, and failures are the rare case.
 */
class CacheEntry {
  constructor(
    readonly expiresAt: number,
    readonly outcome: string | CachedFailure,
  ) {}
}

class ResolverCache {
  readonly #upstream: DigestResolver;
  readonly #options: ResolvedCacheOptions;
  readonly #entries: LRUCache<string, CacheEntry>;
  readonly #flights = new Map<string, Flight>();
  readonly #memo: KeyMemo;
  readonly #counters = new CacheCounters();
  /** Clock ms; the system clock is read without allocating a Date (a third of a hit's cost). */
  readonly #now: () => number;

  constructor(upstream: DigestResolver, options: ResolvedCacheOptions) {
    this.#upstream = upstream;
    this.#options = options;
    this.#memo = new KeyMemo(Math.min(options.maxEntries, 4096), options.identityOf);
    const clock = options.clock;
    this.#now = clock === systemClock ? Date.now : () => clock.now().getTime();
    this.#entries = new LRUCache<string, CacheEntry>({
      max: options.maxEntries,
      dispose: (_entry, key, reason) => {
        if (reason !== 'evict') return;
        this.#counters.evictions++;
        if (this.#options.onEvent !== undefined) this.#emit({ type: 'evict', ...splitCacheKey(key) });
      },
    });
  }

  lookup(operation: CacheOperation, ref: string, opts: ResolveOptions | undefined): Promise<string> {
    const signal = opts?.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const record = this.#memo.record(ref);
    const reference = record.reference;
    if (reference === undefined) return this.#call(operation, ref, opts);
    const key = this.#memo.key(record, reference, operation, opts);
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      if (entry.expiresAt > this.#now()) {
        this.#counters.hits++;
        const outcome = entry.outcome;
        const negative = typeof outcome !== 'string';
        if (this.#options.onEvent !== undefined) this.#emit({ type: 'hit', operation, reference, negative });
        return negative ? Promise.reject(outcome.error) : Promise.resolve(outcome);
      }
      this.#entries.delete(key);
    }
    let flight = this.#flights.get(key);
    if (flight !== undefined) {
      this.#counters.joins++;
      if (this.#options.onEvent !== undefined) this.#emit({ type: 'join', operation, reference });
    } else {
      this.#counters.misses++;
      if (this.#options.onEvent !== undefined) this.#emit({ type: 'miss', operation, reference });
      flight = this.#start(operation, ref, reference, key, opts);
    }
    const joined = flight;
    return joined.follow(signal, () => this.#forget(key, joined));
  }

  invalidate(ref: string, opts: ResolveOptions | undefined): number {
    const reference = normaliseReference(ref);
    if (reference === undefined) return 0;
    let keys: string[];
    if (opts !== undefined) {
      const identity = this.#options.identityOf(opts);
      keys = [cacheKey(reference, 'resolve', identity), cacheKey(reference, 'config', identity)];
    } else {
      const prefix = keyPrefix(reference);
      keys = [...this.#entries.keys(), ...this.#flights.keys()].filter((key) => key.startsWith(prefix));
    }
    let removed = 0;
    for (const key of keys) {
      if (this.#entries.delete(key)) removed++;
      const flight = this.#flights.get(key);
      if (flight !== undefined) {
        flight.detached = true;
        this.#flights.delete(key);
      }
    }
    if (this.#options.onEvent !== undefined) this.#emit({ type: 'invalidate', reference, removed });
    return removed;
  }

  clear(): void {
    const removed = this.#entries.size;
    this.#entries.clear();
    for (const flight of this.#flights.values()) flight.detached = true;
    this.#flights.clear();
    if (this.#options.onEvent !== undefined) this.#emit({ type: 'clear', removed });
  }

  stats(): CacheStats {
    return this.#counters.snapshot(this.#entries.size, this.#flights.size);
  }

  /** Starts the shared upstream call of `key` and stores its outcome when it settles. */
  #start(
    operation: CacheOperation,
    ref: string,
    reference: string,
    key: string,
    opts: ResolveOptions | undefined,
  ): Flight {
    const flight = new Flight((signal) => this.#call(operation, ref, { ...opts, signal }));
    this.#flights.set(key, flight);
    // Registered before any caller's continuation, so the entry exists by the time a
    // caller that awaited this call resolves again.
    flight.promise.then(
      (digest) => this.#settle(key, flight, operation, reference, true, digest),
      (error: unknown) => this.#settle(key, flight, operation, reference, false, error),
    );
    return flight;
  }

  #settle(
    key: string,
    flight: Flight,
    operation: CacheOperation,
    reference: string,
    ok: boolean,
    value: unknown,
  ): void {
    this.#forget(key, flight);
    // An abandoned call failed because its callers aborted; an invalidated one may
    // carry what was true before the invalidation. Neither is stored.
    if (flight.detached) return;
    const negative = !ok;
    if (negative) {
      this.#counters.errors++;
      if (this.#options.onEvent !== undefined) {
        this.#emit({ type: 'error', operation, reference, error: value });
      }
    }
    const ttlMs = negative ? this.#options.negativeTtlMs : this.#options.ttlMs;
    // A signal's abort or timeout that reached here (a resolver that shared work with another caller's signal)
    // says nothing about the image: stored, it would fail every caller of the key for the negative TTL.
    if (ttlMs <= 0 || (negative && isAbort(value))) return;
    const expiresAt = this.#now() + ttlMs;
    const outcome = negative ? new CachedFailure(value) : (value as string);
    // `key` is the memo's flat string (see KeyMemo), so storing it costs no copy.
    this.#entries.set(key, new CacheEntry(expiresAt, outcome));
    if (this.#options.onEvent !== undefined) {
      this.#emit({ type: 'store', operation, reference, negative, ttlMs });
    }
  }

  #forget(key: string, flight: Flight): void {
    if (this.#flights.get(key) === flight) this.#flights.delete(key);
  }

  /** Calls upstream, turning a synchronous throw into a rejection. */
  #call(operation: CacheOperation, ref: string, opts: ResolveOptions | undefined): Promise<string> {
    try {
      return operation === 'resolve'
        ? this.#upstream.resolve(ref, opts)
        : this.#upstream.resolveConfigDigest(ref, opts);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** A throwing metrics hook is a bug to surface, not a resolution failure, so it is re-raised apart. */
  #emit(event: CacheEvent): void {
    try {
      this.#options.onEvent?.(event);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

/** A signal's abort or timeout reason (`AbortError`, `TimeoutError`), whatever realm made it. */
function isAbort(error: unknown): boolean {
  const name = (error as { name?: unknown } | null | undefined)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}
