import { describe, expect, it } from 'vitest';
import { formatGoDuration } from './go-duration.js';

describe('Go durations', () => {
  it('formats like Duration.String()', () => {
    expect(formatGoDuration(120_000)).toBe('2m0s');
    expect(formatGoDuration(8000)).toBe('8s');
    expect(formatGoDuration(1500)).toBe('1.5s');
    expect(formatGoDuration(3_723_000)).toBe('1h2m3s');
    expect(formatGoDuration(250)).toBe('250ms');
    expect(formatGoDuration(0)).toBe('0s');
    expect(formatGoDuration(-2000)).toBe('-2s');
  });
});
