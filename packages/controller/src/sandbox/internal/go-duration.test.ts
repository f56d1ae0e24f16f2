import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDuration } from './go-duration.js';

describe('Go durations', () => {
  it('parses what time.ParseDuration accepts', () => {
    expect(parseGoDuration('2m0s')).toBe(120_000);
    expect(parseGoDuration('90s')).toBe(90_000);
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(parseGoDuration('500ms')).toBe(500);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('-1s')).toBe(-1000);
  });
  it('rejects what it does not', () => {
    for (const bad of ['', '5', 'm', '1x', '1s2', ' ']) expect(parseGoDuration(bad)).toBeUndefined();
  });
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
