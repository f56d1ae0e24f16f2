import type { ResolveOptions } from '@agentbox/core';
import { describe, expect, it } from 'vitest';
import { cacheKey, credentialIdentity } from '../cache-key.js';
import { KeyMemo } from './key-memo.js';

const UBUNTU = 'docker.io/library/ubuntu:latest';

function keyOf(memo: KeyMemo, ref: string, operation: 'resolve' | 'config', opts?: ResolveOptions) {
  const record = memo.record(ref);
  return record.reference === undefined ? undefined : memo.key(record, record.reference, operation, opts);
}

describe('KeyMemo', () => {
  it.each<[string, ResolveOptions | undefined]>([
    ['no options', undefined],
    ['a namespace', { namespace: 'team' }],
    ['one secret', { namespace: 'team', pullSecrets: ['regcred'] }],
    ['secrets out of order', { namespace: 'team', pullSecrets: ['b', 'a'] }],
  ])('gives the same key as cacheKey with the default identity (%s)', (_what, opts) => {
    const memo = new KeyMemo(16, credentialIdentity);
    for (const operation of ['resolve', 'config'] as const) {
      const expected = cacheKey(UBUNTU, operation, credentialIdentity(opts));
      expect(keyOf(memo, 'ubuntu', operation, opts)).toBe(expected);
      expect(keyOf(memo, UBUNTU, operation, opts)).toBe(expected);
      expect(keyOf(memo, 'ubuntu', operation, opts)).toBe(expected);
    }
  });

  it('uses a custom identity as given', () => {
    const identityOf = (opts: ResolveOptions | undefined) => `tenant:${opts?.namespace ?? '-'}`;
    const memo = new KeyMemo(16, identityOf);
    expect(keyOf(memo, 'ubuntu', 'resolve', { namespace: 'a', pullSecrets: ['x'] })).toBe(
      cacheKey(UBUNTU, 'resolve', 'tenant:a'),
    );
    expect(keyOf(memo, 'ubuntu', 'resolve', { namespace: 'a', pullSecrets: ['y'] })).toBe(
      cacheKey(UBUNTU, 'resolve', 'tenant:a'),
    );
  });

  it('marks references with a digest or that do not parse as bypassing', () => {
    const memo = new KeyMemo(16, credentialIdentity);
    expect(memo.record(`ubuntu@sha256:${'0'.repeat(64)}`).reference).toBeUndefined();
    expect(memo.record('Not A Reference').reference).toBeUndefined();
  });

  it('stays correct when it starts over past its capacity', () => {
    const memo = new KeyMemo(2, credentialIdentity);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5; i++) {
        const opts = { namespace: `ns-${i}` };
        expect(keyOf(memo, `app-${i}:v1`, 'resolve', opts)).toBe(
          cacheKey(`docker.io/library/app-${i}:v1`, 'resolve', `ns-${i}`),
        );
      }
    }
  });
});
