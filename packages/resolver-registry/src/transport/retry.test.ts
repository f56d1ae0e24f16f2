import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter, type RetryPolicy, withRetry } from './retry.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['3', 3_000],
    [' 0 ', 0],
    ['Thu, 01 Jan 2026 00:00:10 GMT', 10_000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
  ])('%j → %j ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});

describe('backoffDelay', () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1_000 };
  it.each([
    [0, 0, 50],
    [0, 0.999, 100],
    [1, 0, 100],
    [3, 0.5, 600],
    [10, 0, 500],
    [10, 0.999, 1_000],
  ])('retry %i with jitter %f → %i ms', (index, random, expected) => {
    expect(backoffDelay(index, { ...policy, random: () => random })).toBe(expected);
  });
});

describe('withRetry', () => {
  function policy(sleeps: number[], retries = 3): RetryPolicy {
    return {
      retries,
      baseDelayMs: 100,
      maxDelayMs: 1_000,
      maxRetryAfterMs: 5_000,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0,
      now: () => NOW,
    };
  }

  it('retries until the judge is satisfied, backing off exponentially', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => ++calls,
      (o) => ({ retry: 'value' in o && o.value < 3 }),
      policy(sleeps),
    );
    expect(result).toBe(3);
    expect(sleeps).toEqual([50, 100]);
  });

  it('waits what the server asked for and discards retried values', async () => {
    const sleeps: number[] = [];
    const discarded: number[] = [];
    let calls = 0;
    await withRetry(
      async () => ++calls,
      (o) => ('value' in o && o.value === 1 ? { retry: true, retryAfterMs: 2_000 } : { retry: false }),
      policy(sleeps),
      { discard: async (v) => void discarded.push(v) },
    );
    expect(sleeps).toEqual([2_000]);
    expect(discarded).toEqual([1]);
  });

  it('stops at once when the server asks for more than the cap', async () => {
    const sleeps: number[] = [];
    const result = await withRetry(
      async () => 'rate limited',
      () => ({ retry: true, retryAfterMs: 60_000 }),
      policy(sleeps),
    );
    expect(result).toBe('rate limited');
    expect(sleeps).toEqual([]);
  });

  it('throws the last error after the retries are used up', async () => {
    const sleeps: number[] = [];
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Error(`attempt ${calls}`);
        },
        () => ({ retry: true }),
        policy(sleeps, 2),
      ),
    ).rejects.toThrow('attempt 3');
    expect(sleeps).toHaveLength(2);
  });

  it('does not sleep once the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(
      withRetry(
        async () => 1,
        () => ({ retry: true }),
        policy([]),
        { signal: controller.signal },
      ),
    ).rejects.toThrow('stop');
  });
});
