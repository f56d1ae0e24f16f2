import { describe, expect, it } from 'vitest';
import { formatRfc3339Seconds, parseRfc3339, toDate } from './rfc3339.js';
import { sameImage } from './same-image.js';
import { sleep } from './sleep.js';

describe('rfc3339', () => {
  // Expected values are the outputs of Go 1.26 `time.Parse(time.RFC3339, s)` for the same inputs.
  it.each([
    ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000Z'],
    ['2024-02-29T23:59:59.123456789-05:30', '2024-03-01T05:29:59.123Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['0000-01-01T00:00:00Z', '0000-01-01T00:00:00.000Z'],
    ['0099-06-01T00:00:00,5Z', '0099-06-01T00:00:00.500Z'],
    ['2026-01-01T1:00:00Z', '2026-01-01T01:00:00.000Z'],
    ['2026-01-01T01:00:00+23:59', '2025-12-31T01:01:00.000Z'],
    ['2026-01-01T01:00:00-00:00', '2026-01-01T01:00:00.000Z'],
    ['2026-01-01T01:00:00.1234567891234Z', '2026-01-01T01:00:00.123Z'],
  ])('parses %s', (text, iso) => {
    expect(parseRfc3339(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '2023-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-01-01T00:60:00Z',
    '2026-01-01t00:00:00z',
    '2026-01-01T23:59:60Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:00:00+01:60',
    '2026-01-01T01:00:00.Z',
    '2026-01-01T01:00:00+1:00',
    '2026-01-01T01:00:00+01:00:00',
    '2026-01-01T01:00:00 Z',
    '+2026-01-01T01:00:00Z',
    '2026-1-01T01:00:00Z',
  ])('rejects %s', (text) => {
    expect(parseRfc3339(text)).toBeUndefined();
  });

  it('formats UTC whole seconds with a four-digit year', () => {
    expect(formatRfc3339Seconds(new Date('2026-01-01T10:20:30.999Z'))).toBe('2026-01-01T10:20:30Z');
    expect(formatRfc3339Seconds(new Date('0042-01-01T00:00:00Z'))).toBe('0042-01-01T00:00:00Z');
    const bc = new Date(0);
    bc.setUTCFullYear(-5, 0, 1);
    expect(formatRfc3339Seconds(bc)).toBe('-0005-01-01T00:00:00Z');
  });

  it('reads Dates and strings, nothing else', () => {
    expect(toDate(new Date(5))).toEqual(new Date(5));
    expect(toDate(new Date(Number.NaN))).toBeUndefined();
    expect(toDate('2026-01-01T00:00:00Z')).toEqual(new Date('2026-01-01T00:00:00Z'));
    expect(toDate(5)).toBeUndefined();
  });
});

describe('sameImage', () => {
  it.each([
    ['ubuntu', 'docker.io/library/ubuntu:latest', true],
    ['ubuntu:22.04', 'ubuntu:24.04', false],
    ['Not A Ref', 'Not A Ref', true],
    ['Not A Ref', 'ubuntu', false],
  ])('%s vs %s → %s', (a, b, expected) => {
    expect(sameImage(a, b)).toBe(expected);
  });
});

describe('sleep', () => {
  it('resolves after the delay', async () => {
    await expect(sleep(1)).resolves.toBeUndefined();
  });

  it('rejects at once with the reason of an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(sleep(10_000, controller.signal)).rejects.toThrow('gone');
  });

  it('rejects when the signal aborts while waiting', async () => {
    const controller = new AbortController();
    const promise = sleep(10_000, controller.signal);
    controller.abort(new Error('later'));
    await expect(promise).rejects.toThrow('later');
  });
});
