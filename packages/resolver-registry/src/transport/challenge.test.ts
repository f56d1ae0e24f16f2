import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Challenge, parseChallenges } from './challenge.js';

describe('parseChallenges', () => {
  it.each<[string, Challenge[]]>([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:library/ubuntu:pull',
          },
        },
      ],
    ],
    ['Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    ['basic realm=unquoted', [{ scheme: 'basic', params: { realm: 'unquoted' } }]],
    ['Bearer realm = "x" , service = "y"', [{ scheme: 'bearer', params: { realm: 'x', service: 'y' } }]],
    [
      'Basic realm="a", Bearer realm="https://t/token",service="s"',
      [
        { scheme: 'basic', params: { realm: 'a' } },
        { scheme: 'bearer', params: { realm: 'https://t/token', service: 's' } },
      ],
    ],
    [
      'Bearer realm="say \\"hi\\"",error="insufficient_scope"',
      [{ scheme: 'bearer', params: { realm: 'say "hi"', error: 'insufficient_scope' } }],
    ],
    ['Bearer REALM="x"', [{ scheme: 'bearer', params: { realm: 'x' } }]],
    ['Negotiate', [{ scheme: 'negotiate', params: {} }]],
    ['', []],
    ['=garbage', []],
  ])('%s', (header, expected) => {
    expect(parseChallenges(header)).toEqual(expected);
  });

  it('reads every header value when the header is repeated', () => {
    expect(parseChallenges(['Basic realm="a"', 'Bearer realm="b"']).map((c) => c.scheme)).toEqual([
      'basic',
      'bearer',
    ]);
  });

  it('round-trips any challenge through formatChallenge (property)', () => {
    const token = fc.stringMatching(/^[a-z][a-z0-9_-]{0,12}$/);
    const challenge = fc.record({
      scheme: token,
      params: fc.dictionary(token, fc.string({ maxLength: 40 }), { maxKeys: 5 }),
    });
    fc.assert(
      fc.property(fc.array(challenge, { minLength: 1, maxLength: 3 }), (challenges) => {
        const header = challenges.map(formatChallenge).join(', ');
        const parsed = parseChallenges(header);
        const expected = challenges.map((c) => ({ scheme: c.scheme, params: { ...c.params } }));
        expect(parsed).toEqual(expected);
      }),
    );
  });
});

/** Formats a challenge back into header syntax, for the round trip of the property test. */
function formatChallenge(challenge: Challenge): string {
  const params = Object.entries(challenge.params).map(
    ([k, v]) => `${k}="${v.replace(/["\\]/g, (c) => `\\${c}`)}"`,
  );
  return params.length > 0 ? `${challenge.scheme} ${params.join(',')}` : challenge.scheme;
}
