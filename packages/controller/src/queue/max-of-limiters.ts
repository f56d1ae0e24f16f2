import type { RateLimiter } from './rate-limiter.js';

/**
 * Combines limiters: the delay is the longest any of them asks for (client-go's MaxOfRateLimiter); every
 * limiter counts every retry.
 */
export function maxOfLimiters(...limiters: RateLimiter[]): RateLimiter {
  return {
    when(key) {
      let delay = 0;
      for (const limiter of limiters) delay = Math.max(delay, limiter.when(key));
      return delay;
    },
    forget(key) {
      for (const limiter of limiters) limiter.forget(key);
    },
    numRequeues(key) {
      let n = 0;
      for (const limiter of limiters) n = Math.max(n, limiter.numRequeues(key));
      return n;
    },
  };
}
