import { type Clock, systemClock } from '@agentbox/core';
import { createExponentialBackoffLimiter } from './exponential-backoff-limiter.js';
import { maxOfLimiters } from './max-of-limiters.js';
import type { RateLimiter } from './rate-limiter.js';
import { systemTimers, type Timers } from './timers.js';
import { createTokenBucketLimiter } from './token-bucket-limiter.js';

/** Options of createWorkQueue (defaults in resolveWorkQueueOptions). */
export interface WorkQueueOptions {
  /** Delays of `addRateLimited`. Default: the max of a per-key exponential back-off and an overall token bucket. */
  rateLimiter?: RateLimiter;
  /** Per-key back-off of the default limiter: first delay. Default: 5 ms. */
  backoffBaseMs?: number;
  /** Per-key back-off of the default limiter: cap. Default: 1,000,000 ms (1000 s). */
  backoffMaxMs?: number;
  /** Overall token bucket of the default limiter: refill rate. Default: 10 per second. */
  qps?: number;
  /** Overall token bucket of the default limiter: size. Default: 100. */
  burst?: number;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: Node's timers. */
  timers?: Timers;
}

/** WorkQueueOptions with every default filled in. */
export interface ResolvedWorkQueueOptions {
  rateLimiter: RateLimiter;
  clock: Clock;
  timers: Timers;
}

/** Fills in the defaults of WorkQueueOptions (client-go's DefaultControllerRateLimiter). */
export function resolveWorkQueueOptions(options: WorkQueueOptions = {}): ResolvedWorkQueueOptions {
  const clock = options.clock ?? systemClock;
  const rateLimiter =
    options.rateLimiter ??
    maxOfLimiters(
      createExponentialBackoffLimiter({
        baseDelayMs: options.backoffBaseMs ?? 5,
        maxDelayMs: options.backoffMaxMs ?? 1_000_000,
      }),
      createTokenBucketLimiter({ qps: options.qps ?? 10, burst: options.burst ?? 100, clock }),
    );
  return { rateLimiter, clock, timers: options.timers ?? systemTimers };
}
