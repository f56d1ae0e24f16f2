/**
 * A work queue with client-go semantics: a key is never processed by two workers at once; a key added while
 * it is processed is queued again once, when `done` is called; `addAfter` keeps the earliest time per key;
 * `addRateLimited` delays by the key's exponential back-off combined with an overall token bucket;
 * `forget` resets a key's back-off; `shutDown` wakes every waiting worker with `undefined`.
 */
export interface WorkQueue {
  /** Queues the key unless it is already waiting (a key being processed is queued again on `done`). */
  add(key: string): void;
  /** Queues the key after `delayMs`; a key already delayed keeps the earlier of the two times. */
  addAfter(key: string, delayMs: number): void;
  /** Queues the key after the rate limiter's delay for it (counts a retry). */
  addRateLimited(key: string): void;
  /** Resets the key's retry history. */
  forget(key: string): void;
  /** Retries counted for the key since it was last forgotten. */
  numRequeues(key: string): number;
  /** The next key to process, or `undefined` once shut down (keys still waiting are then dropped). */
  get(): Promise<string | undefined>;
  /** Marks the key as processed: a worker may take it again. */
  done(key: string): void;
  /** Keys waiting (not counting delayed ones or the ones being processed). */
  len(): number;
  /** Stops handing out keys and drops new ones; waiting `get`s resolve with `undefined`. */
  shutDown(): void;
  /** Like shutDown, but resolves only when every key being processed is done. */
  shutDownWithDrain(): Promise<void>;
  readonly shuttingDown: boolean;
}
