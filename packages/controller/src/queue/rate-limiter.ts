/** How long a key waits before it is queued again (client-go's workqueue.RateLimiter). */
export interface RateLimiter {
  /** The delay in milliseconds for the key's next retry; counts the retry. */
  when(key: string): number;
  /** Resets the key's history (after a success). */
  forget(key: string): void;
  /** Retries counted for the key since it was last forgotten. */
  numRequeues(key: string): number;
}
