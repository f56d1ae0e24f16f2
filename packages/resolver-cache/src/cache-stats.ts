/** Counters of a cached resolver since it was created (or since its last `clear()` — counters survive `clear()`). */
export interface CacheStats {
  /** Lookups answered from a fresh entry, positive or negative. */
  readonly hits: number;
  /** Lookups that started an upstream call (no entry, or an expired one). */
  readonly misses: number;
  /** Lookups that joined an upstream call already in flight for the same key. */
  readonly joins: number;
  /** Entries dropped to keep the cache within `maxEntries`. */
  readonly evictions: number;
  /** Upstream calls that failed (aborts of abandoned calls excluded). */
  readonly errors: number;
  /** Entries currently held, fresh or expired-but-not-yet-dropped. */
  readonly size: number;
  /** Upstream calls currently in flight. */
  readonly inFlight: number;
}

/** The mutable counters behind {@link CacheStats}; kept as plain fields so the hit path stays cheap. */
export class CacheCounters {
  hits = 0;
  misses = 0;
  joins = 0;
  evictions = 0;
  errors = 0;

  /** A frozen snapshot of the counters plus the current sizes. */
  snapshot(size: number, inFlight: number): CacheStats {
    return Object.freeze({
      hits: this.hits,
      misses: this.misses,
      joins: this.joins,
      evictions: this.evictions,
      errors: this.errors,
      size,
      inFlight,
    });
  }
}
