import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cacheKey,
  credentialIdentity,
  flatCacheKey,
  keyPrefix,
  normaliseReference,
  splitCacheKey,
} from './cache-key.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('normaliseReference', () => {
  it.each([
    ['ubuntu', 'docker.io/library/ubuntu:latest'],
    ['docker.io/library/ubuntu:latest', 'docker.io/library/ubuntu:latest'],
    ['library/ubuntu:latest', 'docker.io/library/ubuntu:latest'],
    ['ubuntu:22.04', 'docker.io/library/ubuntu:22.04'],
    ['127.0.0.1:5000/team/app:v1', '127.0.0.1:5000/team/app:v1'],
    ['quay.io/org/app', 'quay.io/org/app:latest'],
  ])('%s → %s', (ref, expected) => {
    expect(normaliseReference(ref)).toBe(expected);
  });

  it.each([
    ['a reference with a digest', `registry.example/app@${DIGEST}`],
    ['a reference with a tag and a digest', `registry.example/app:v1@${DIGEST}`],
    ['an empty reference', ''],
    ['an unparsable reference', 'UPPER/Case:tag'],
    ['a bad tag', 'app:-bad'],
  ])('%s is not cached', (_what, ref) => {
    expect(normaliseReference(ref)).toBeUndefined();
  });
});

describe('credentialIdentity', () => {
  it.each([
    ['no options', undefined, ''],
    ['no namespace, no secrets', {}, ''],
    ['a namespace only', { namespace: 'team-a' }, 'team-a'],
    ['one secret', { namespace: 'team-a', pullSecrets: ['regcred'] }, 'team-a/regcred'],
    ['secrets in any order', { namespace: 'ns', pullSecrets: ['b', 'a', 'b'] }, 'ns/a,b'],
    ['an empty secret list', { namespace: 'ns', pullSecrets: [] }, 'ns'],
    ['sorted secrets', { namespace: 'ns', pullSecrets: ['a', 'b', 'c'] }, 'ns/a,b,c'],
    ['sorted secrets with a duplicate', { namespace: 'ns', pullSecrets: ['a', 'a', 'b'] }, 'ns/a,b'],
    ['unsorted secrets', { namespace: 'ns', pullSecrets: ['c', 'a', 'b'] }, 'ns/a,b,c'],
  ])('%s', (_what, opts, expected) => {
    expect(credentialIdentity(opts)).toBe(expected);
  });

  it('tells apart callers with and without a secret, and across namespaces', () => {
    const identities = new Set([
      credentialIdentity({ namespace: 'a' }),
      credentialIdentity({ namespace: 'a', pullSecrets: ['s'] }),
      credentialIdentity({ namespace: 'b', pullSecrets: ['s'] }),
      credentialIdentity({ namespace: 'a', pullSecrets: ['s', 't'] }),
    ]);
    expect(identities.size).toBe(4);
  });

  it('does not depend on the order of pull secrets (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), { maxLength: 5 }),
        fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
        (secrets, namespace) => {
          const reversed = [...secrets].reverse();
          expect(credentialIdentity({ namespace, pullSecrets: reversed })).toBe(
            credentialIdentity({ namespace, pullSecrets: secrets }),
          );
        },
      ),
    );
  });
});

describe('cacheKey', () => {
  it('splits back into its reference and operation, and starts with the reference prefix', () => {
    const key = cacheKey('docker.io/library/ubuntu:latest', 'config', 'ns/a,b');
    expect(splitCacheKey(key)).toEqual({ reference: 'docker.io/library/ubuntu:latest', operation: 'config' });
    expect(key.startsWith(keyPrefix('docker.io/library/ubuntu:latest'))).toBe(true);
    expect(key.startsWith(keyPrefix('docker.io/library/ubuntu:lat'))).toBe(false);
  });

  it.each([
    ['docker.io/library/ubuntu:latest', 'resolve', ''],
    ['127.0.0.1:5000/a/b:c', 'config', 'ns/x,y'],
    ['r:t', 'resolve', 'custom\nidentity\n'],
  ] as const)('flatCacheKey keeps %s/%s/%j equal', (reference, operation, identity) => {
    const key = cacheKey(reference, operation, identity);
    expect(flatCacheKey(key)).toBe(key);
  });

  it('differs by operation and identity', () => {
    const ref = 'docker.io/library/ubuntu:latest';
    const keys = new Set([
      cacheKey(ref, 'resolve', ''),
      cacheKey(ref, 'config', ''),
      cacheKey(ref, 'resolve', 'ns'),
      cacheKey(ref, 'resolve', 'ns/s'),
    ]);
    expect(keys.size).toBe(4);
  });
});
