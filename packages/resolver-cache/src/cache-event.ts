/** Which port method a cache entry or upstream call belongs to. */
export type CacheOperation = 'resolve' | 'config';

/**
 * What the cache reports through `onEvent`, one event per decision, so metrics can be
 * built without polling `stats()`. `reference` is the normalised reference
 * (`docker.io/library/ubuntu:latest`), never a credential.
 */
export type CacheEvent =
  /** Answered from a fresh entry; `negative` when the entry is a cached failure. */
  | {
      readonly type: 'hit';
      readonly operation: CacheOperation;
      readonly reference: string;
      readonly negative: boolean;
    }
  /** No fresh entry: an upstream call was started. */
  | { readonly type: 'miss'; readonly operation: CacheOperation; readonly reference: string }
  /** Joined an upstream call already in flight for the same key. */
  | { readonly type: 'join'; readonly operation: CacheOperation; readonly reference: string }
  /** An upstream result was stored for `ttlMs`; `negative` when it is a failure. */
  | {
      readonly type: 'store';
      readonly operation: CacheOperation;
      readonly reference: string;
      readonly negative: boolean;
      readonly ttlMs: number;
    }
  /** An upstream call failed (the failure is what a caller receives). */
  | {
      readonly type: 'error';
      readonly operation: CacheOperation;
      readonly reference: string;
      readonly error: unknown;
    }
  /** An entry was dropped to stay within `maxEntries` (least recently used first). */
  | { readonly type: 'evict'; readonly operation: CacheOperation; readonly reference: string }
  /** `invalidate` dropped `removed` entries (and detached any call in flight) for `reference`. */
  | { readonly type: 'invalidate'; readonly reference: string; readonly removed: number }
  /** `clear` dropped `removed` entries and detached every call in flight. */
  | { readonly type: 'clear'; readonly removed: number };

/** A metrics hook; it must not throw (a throw is re-raised asynchronously as an uncaught exception). */
export type CacheEventListener = (event: CacheEvent) => void;
