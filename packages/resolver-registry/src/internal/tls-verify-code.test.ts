import { describe, expect, it } from 'vitest';
import { tlsVerifyCode } from './tls-verify-code.js';

const coded = (code: string, cause?: unknown): Error => Object.assign(new Error(code, { cause }), { code });

describe('tlsVerifyCode', () => {
  it.each([
    ['an unknown CA', coded('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ['a self-signed leaf', coded('DEPTH_ZERO_SELF_SIGNED_CERT'), 'DEPTH_ZERO_SELF_SIGNED_CERT'],
    ['an expired certificate', coded('CERT_HAS_EXPIRED'), 'CERT_HAS_EXPIRED'],
    ['a host-name mismatch', coded('ERR_TLS_CERT_ALTNAME_INVALID'), 'ERR_TLS_CERT_ALTNAME_INVALID'],
    [
      'a proxy tunnel wrapping the TLS error',
      coded('UND_ERR_PRX_TLS', coded('ERR_TLS_CERT_ALTNAME_INVALID')),
      'ERR_TLS_CERT_ALTNAME_INVALID',
    ],
    ['a refused connection', coded('ECONNREFUSED'), undefined],
    ['a reset', coded('ECONNRESET', coded('EPIPE')), undefined],
    ['no code at all', new Error('boom'), undefined],
    ['not an error', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', undefined],
    ['undefined', undefined, undefined],
  ])('%s', (_what, err, expected) => {
    expect(tlsVerifyCode(err)).toBe(expected);
  });

  it('stops on a cause cycle', () => {
    const a = coded('ECONNRESET');
    const b = coded('EPIPE', a);
    (a as { cause?: unknown }).cause = b;
    expect(tlsVerifyCode(a)).toBeUndefined();
  });
});
