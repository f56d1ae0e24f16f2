import { isConflictError } from '../is-conflict-error.js';
import { sleep } from './sleep.js';

/** client-go's `retry.DefaultRetry`: 5 tries, 10 ms apart with 10 % jitter. */
export const conflictRetryPolicy = { attempts: 5, delayMs: 10, jitter: 0.1 } as const;

/**
 * Runs `attempt` and, when it fails with an HTTP 409 and `retry` is true, runs it again (re-reading the
 * pod is the attempt's job) up to the policy's number of tries; any other error is thrown at once.
 */
export async function retryOnConflict<T>(
  attempt: () => Promise<T>,
  options: { retry: boolean; signal: AbortSignal | undefined },
): Promise<T> {
  const { attempts, delayMs, jitter } = conflictRetryPolicy;
  for (let i = 1; ; i++) {
    options.signal?.throwIfAborted();
    try {
      return await attempt();
    } catch (err) {
      if (!options.retry || i >= attempts || !isConflictError(err)) throw err;
    }
    await sleep(delayMs * (1 + Math.random() * jitter), options.signal);
  }
}
