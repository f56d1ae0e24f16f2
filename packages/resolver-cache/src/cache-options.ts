import { type Clock, type ResolveOptions, systemClock } from '@agentbox/core';
import type { CacheEventListener } from './cache-event.js';
import { credentialIdentity } from './cache-key.js';
import { InvalidCacheOptionsError } from './invalid-cache-options-error.js';

/** Options of {@link withCache}; every default is set (and documented) in {@link resolveCacheOptions}. */
export interface CacheOptions {
  /** How long a resolved digest is served without asking upstream. Default: 60 000 ms. */
  readonly ttlMs?: number;
  /** How long a failure is re-thrown without asking upstream; 0 disables negative caching. Default: 5 000 ms. */
  readonly negativeTtlMs?: number;
  /** Most entries held; the least recently used goes first. Default: 10 000. */
  readonly maxEntries?: number;
  /** Time source for expiry. Default: the system clock. */
  readonly clock?: Clock;
  /** Metrics hook called once per cache decision. Default: none. */
  readonly onEvent?: CacheEventListener;
  /**
   * The credential identity of a call, part of every key: callers with different
   * identities never share an entry. Default: namespace + sorted pull-secret names.
   */
  readonly identityOf?: (opts: ResolveOptions | undefined) => string;
}

/** {@link CacheOptions} with every default applied and validated. */
export interface ResolvedCacheOptions {
  readonly ttlMs: number;
  readonly negativeTtlMs: number;
  readonly maxEntries: number;
  readonly clock: Clock;
  readonly onEvent: CacheEventListener | undefined;
  readonly identityOf: (opts: ResolveOptions | undefined) => string;
}

/** Applies every default of {@link CacheOptions} and rejects values that cannot work. */
export function resolveCacheOptions(options: CacheOptions = {}): ResolvedCacheOptions {
  const resolved: ResolvedCacheOptions = {
    ttlMs: options.ttlMs ?? 60_000,
    negativeTtlMs: options.negativeTtlMs ?? 5_000,
    maxEntries: options.maxEntries ?? 10_000,
    clock: options.clock ?? systemClock,
    onEvent: options.onEvent,
    identityOf: options.identityOf ?? credentialIdentity,
  };
  requireNonNegative('ttlMs', resolved.ttlMs);
  requireNonNegative('negativeTtlMs', resolved.negativeTtlMs);
  if (!Number.isSafeInteger(resolved.maxEntries) || resolved.maxEntries < 1) {
    throw new InvalidCacheOptionsError('maxEntries', resolved.maxEntries);
  }
  return resolved;
}

function requireNonNegative(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new InvalidCacheOptionsError(name, value);
}
