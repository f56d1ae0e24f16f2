/**
 * A work queue with client-go semantics: a key is never processed by two workers at once; a key added while
 * it is processed is queued again once, when `done` is called; `addAfter` keeps the earliest time per key;
 * `addRateLimited` delays by the key's exponential back-off combined with an overall token bucket;
 * `forget` resets a key's back-off; `shutDown` wakes every waiting worker with `undefined`.
 */
export interface WorkQueue {
  add(key: string): void;
  addAfter(key: string, delayMs: number): void;
  addRateLimited(key: string): void;
  forget(key: string): void;
  numRequeues(key: string): number;
  /** The next key to process, or `undefined` once shut down and (with drain) empty. */
  get(): Promise<string | undefined>;
  done(key: string): void;
  /** Keys waiting (not counting delayed ones or the ones being processed). */
  len(): number;
  /** Stops handing out keys; waiting `get`s resolve with `undefined`. */
  shutDown(): void;
  /** Like shutDown, but resolves only when every key being processed is done. */
  shutDownWithDrain(): Promise<void>;
  readonly shuttingDown: boolean;
}
