import { FakeClock } from '@agentbox/core/testing';
import { describe, expect, it } from 'vitest';
import { createExponentialBackoffLimiter } from './exponential-backoff-limiter.js';
import { maxOfLimiters } from './max-of-limiters.js';
import type { RateLimiter } from './rate-limiter.js';
import { createTokenBucketLimiter } from './token-bucket-limiter.js';

function delays(limiter: RateLimiter, key: string, n: number): number[] {
  return Array.from({ length: n }, () => limiter.when(key));
}

describe('createExponentialBackoffLimiter', () => {
  it.each([
    { name: 'defaults: 5 ms doubling', options: {}, n: 6, expected: [5, 10, 20, 40, 80, 160] },
    {
      name: 'custom base and cap',
      options: { baseDelayMs: 100, maxDelayMs: 500 },
      n: 5,
      expected: [100, 200, 400, 500, 500],
    },
  ])('$name', ({ options, n, expected }) => {
    expect(delays(createExponentialBackoffLimiter(options), 'k', n)).toEqual(expected);
  });

  it('caps at 1000 s by default and stays finite after many failures', () => {
    const limiter = createExponentialBackoffLimiter();
    const all = delays(limiter, 'k', 2000);
    expect(all[17]).toBe(655_360);
    expect(all[18]).toBe(1_000_000);
    expect(all[1999]).toBe(1_000_000);
    expect(limiter.numRequeues('k')).toBe(2000);
  });

  it('keeps keys apart and forgets one', () => {
    const limiter = createExponentialBackoffLimiter();
    delays(limiter, 'a', 3);
    expect(limiter.when('b')).toBe(5);
    limiter.forget('a');
    expect(limiter.numRequeues('a')).toBe(0);
    expect(limiter.when('a')).toBe(5);
    expect(limiter.numRequeues('b')).toBe(1);
  });
});

describe('createTokenBucketLimiter', () => {
  it.each([
    {
      name: 'burst is free, then one token per 1/qps',
      qps: 10,
      burst: 3,
      n: 6,
      expected: [0, 0, 0, 100, 200, 300],
    },
    { name: 'qps 2', qps: 2, burst: 1, n: 3, expected: [0, 500, 1000] },
  ])('$name', ({ qps, burst, n, expected }) => {
    const limiter = createTokenBucketLimiter({ qps, burst, clock: new FakeClock() });
    expect(delays(limiter, 'k', n).map((d) => Math.round(d))).toEqual(expected);
  });

  it('refills with time, up to the burst', () => {
    const clock = new FakeClock();
    const limiter = createTokenBucketLimiter({ qps: 10, burst: 2, clock });
    expect(delays(limiter, 'k', 3).map(Math.round)).toEqual([0, 0, 100]);
    clock.advance(10_000);
    expect(delays(limiter, 'k', 3).map(Math.round)).toEqual([0, 0, 100]);
  });

  it('is shared by every key and has no per-key history', () => {
    const limiter = createTokenBucketLimiter({ qps: 10, burst: 1, clock: new FakeClock() });
    expect(limiter.when('a')).toBe(0);
    expect(Math.round(limiter.when('b'))).toBe(100);
    expect(limiter.numRequeues('a')).toBe(0);
  });
});

describe('maxOfLimiters', () => {
  it('takes the longest delay and the highest count; forget reaches every limiter', () => {
    const clock = new FakeClock();
    const limiter = maxOfLimiters(
      createExponentialBackoffLimiter(),
      createTokenBucketLimiter({ qps: 10, burst: 2, clock }),
    );
    expect(delays(limiter, 'k', 4).map(Math.round)).toEqual([5, 10, 100, 200]);
    expect(limiter.numRequeues('k')).toBe(4);
    limiter.forget('k');
    expect(limiter.numRequeues('k')).toBe(0);
  });
});
