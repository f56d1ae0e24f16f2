import { systemClock } from '@agentbox/core';
import { describe, expect, it } from 'vitest';
import { credentialIdentity } from './cache-key.js';
import { resolveCacheOptions } from './cache-options.js';
import { InvalidCacheOptionsError } from './invalid-cache-options-error.js';

describe('resolveCacheOptions', () => {
  it('documents every default in one place', () => {
    expect(resolveCacheOptions()).toEqual({
      ttlMs: 60_000,
      negativeTtlMs: 5_000,
      maxEntries: 10_000,
      clock: systemClock,
      onEvent: undefined,
      identityOf: credentialIdentity,
    });
  });

  it('keeps what the caller gives', () => {
    const clock = { now: () => new Date(0) };
    const onEvent = (): void => {};
    const identityOf = (): string => 'x';
    expect(
      resolveCacheOptions({ ttlMs: 1, negativeTtlMs: 0, maxEntries: 1, clock, onEvent, identityOf }),
    ).toEqual({ ttlMs: 1, negativeTtlMs: 0, maxEntries: 1, clock, onEvent, identityOf });
  });

  it.each([
    ['ttlMs', { ttlMs: -1 }],
    ['ttlMs', { ttlMs: Number.NaN }],
    ['negativeTtlMs', { negativeTtlMs: -5 }],
    ['negativeTtlMs', { negativeTtlMs: Number.POSITIVE_INFINITY }],
    ['maxEntries', { maxEntries: 0 }],
    ['maxEntries', { maxEntries: 1.5 }],
  ])('rejects a bad %s (%o)', (option, options) => {
    const error = (() => {
      try {
        resolveCacheOptions(options);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidCacheOptionsError);
    expect(error).toMatchObject({ code: 'InvalidCacheOptions', option });
  });
});
