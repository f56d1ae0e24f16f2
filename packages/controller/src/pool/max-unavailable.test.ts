import { describe, expect, it } from 'vitest';
import { maxUnavailableOf } from './max-unavailable.js';

describe('maxUnavailableOf', () => {
  it('defaults to 25 % of the replicas, rounded down, at least 1', () => {
    expect(maxUnavailableOf(undefined, 8)).toBe(2);
    expect(maxUnavailableOf(undefined, 7)).toBe(1);
    expect(maxUnavailableOf(undefined, 3)).toBe(1);
    expect(maxUnavailableOf(undefined, 0)).toBe(1);
  });
  it('reads counts and percentages', () => {
    expect(maxUnavailableOf(3, 10)).toBe(3);
    expect(maxUnavailableOf('4', 10)).toBe(4);
    expect(maxUnavailableOf('50%', 5)).toBe(2);
    expect(maxUnavailableOf('100%', 5)).toBe(5);
    expect(maxUnavailableOf(0, 5)).toBe(1);
    expect(maxUnavailableOf('1%', 5)).toBe(1);
  });
  it('falls back to the default for a malformed value', () => {
    expect(maxUnavailableOf('lots', 8)).toBe(2);
  });
});
