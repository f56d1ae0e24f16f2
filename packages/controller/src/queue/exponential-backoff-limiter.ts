import type { RateLimiter } from './rate-limiter.js';

/** Options of createExponentialBackoffLimiter. */
export interface ExponentialBackoffLimiterOptions {
  /** Delay of the first retry. Default: 5 ms. */
  baseDelayMs?: number;
  /** Upper bound of the delay. Default: 1,000,000 ms (1000 s). */
  maxDelayMs?: number;
}

/**
 * Per-key exponential back-off: the n-th retry of a key waits `baseDelayMs · 2ⁿ⁻¹`, capped at `maxDelayMs`
 * (client-go's ItemExponentialFailureRateLimiter).
 */
export function createExponentialBackoffLimiter(options: ExponentialBackoffLimiterOptions = {}): RateLimiter {
  const base = options.baseDelayMs ?? 5;
  const max = options.maxDelayMs ?? 1_000_000;
  const failures = new Map<string, number>();
  return {
    when(key) {
      const n = failures.get(key) ?? 0;
      failures.set(key, n + 1);
      // 2^n overflows to Infinity long after the cap is reached, so the min keeps it finite.
      return Math.min(max, base * 2 ** n);
    },
    forget(key) {
      failures.delete(key);
    },
    numRequeues(key) {
      return failures.get(key) ?? 0;
    },
  };
}
