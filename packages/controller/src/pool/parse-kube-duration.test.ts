import { describe, expect, it } from 'vitest';
import { parseKubeDuration } from './parse-kube-duration.js';

describe('parseKubeDuration', () => {
  it.each([
    ['2m0s', 120_000],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['500ms', 500],
    ['0', 0],
    ['0s', 0],
    ['+3s', 3000],
  ])('%s → %i ms', (text, ms) => {
    expect(parseKubeDuration(text)).toBe(ms);
  });

  it.each([undefined, '', '3', '-3s', '3x', 'm', '1h 30m'])('%s is not a duration', (text) => {
    expect(parseKubeDuration(text)).toBeUndefined();
  });
});
