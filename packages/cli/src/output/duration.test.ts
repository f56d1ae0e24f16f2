import { describe, expect, it } from 'vitest';
import { formatAge, formatDuration, humanDuration, parseDuration } from './duration.js';

describe('Kubernetes durations and kubectl ages', () => {
  it.each([
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['500ms', 500],
    ['0', 0],
    ['2m0s', 120_000],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text, '--timeout')).toBe(ms);
  });

  it.each(['', '5', '5 minutes', 'm', '-1s', '1d'])('refuses %j as a usage error (exit 2)', (text) => {
    expect(() => parseDuration(text, '--timeout')).toThrow(
      expect.objectContaining({ exitCode: 2, message: expect.stringContaining('--timeout') }),
    );
  });

  it.each([
    [0, '0s'],
    [500, '500ms'],
    [1500, '1.5s'],
    [120_000, '2m0s'],
    [5_400_000, '1h30m0s'],
    [8_000, '8s'],
  ])('formats %d ms like Go: %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([
    [45_000, '45s'],
    [119_000, '119s'],
    [200_000, '3m20s'],
    [180_000, '3m'],
    [45 * 60_000, '45m'],
    [5 * 3_600_000 + 3 * 60_000, '5h3m'],
    [30 * 3_600_000, '30h'],
    [3 * 86_400_000 + 4 * 3_600_000, '3d4h'],
    [200 * 86_400_000, '200d'],
    [(2 * 365 + 10) * 86_400_000, '2y10d'],
    [-500, '0s'],
    [-5000, '<invalid>'],
  ])('ages %d ms as apimachinery does: %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it('formatAge of a timestamp, or <unknown>', () => {
    const now = Date.parse('2026-01-01T00:10:00Z');
    expect(formatAge('2026-01-01T00:00:00Z', now)).toBe('10m');
    expect(formatAge(undefined, now)).toBe('<unknown>');
    expect(formatAge('yesterday', now)).toBe('<unknown>');
  });
});
