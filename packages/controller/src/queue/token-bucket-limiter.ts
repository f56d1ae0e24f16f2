import { type Clock, systemClock } from '@agentbox/core';
import type { RateLimiter } from './rate-limiter.js';

/** Options of createTokenBucketLimiter. */
export interface TokenBucketLimiterOptions {
  /** Tokens added per second. Default: 10. */
  qps?: number;
  /** Bucket size (retries allowed at once). Default: 100. */
  burst?: number;
  clock?: Clock;
}

/**
 * An overall token bucket shared by every key (client-go's BucketRateLimiter over x/time/rate): each retry
 * takes a token; when none is left the retry is delayed until its token will have been refilled, so
 * reservations queue up behind each other instead of being refused.
 */
export function createTokenBucketLimiter(options: TokenBucketLimiterOptions = {}): RateLimiter {
  const qps = options.qps ?? 10;
  const burst = options.burst ?? 100;
  const clock = options.clock ?? systemClock;
  let tokens = burst;
  let last = clock.now().getTime();
  return {
    when() {
      const now = clock.now().getTime();
      tokens = Math.min(burst, tokens + ((now - last) / 1000) * qps);
      last = now;
      tokens -= 1;
      return tokens >= 0 ? 0 : (-tokens / qps) * 1000;
    },
    forget() {},
    numRequeues: () => 0,
  };
}
