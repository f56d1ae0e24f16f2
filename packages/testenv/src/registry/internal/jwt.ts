import { sign } from 'node:crypto';
import type { SigningKey } from './signing-key.js';

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * Signs `claims` as an RS256 JWT whose header carries the signing certificate in `x5c`:
 * Distribution 2.8 verifies that chain against its root bundle, then the signature.
 */
export function signJwt(claims: Record<string, unknown>, key: SigningKey): string {
  const header = { typ: 'JWT', alg: 'RS256', x5c: [key.certDerBase64] };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = sign('sha256', Buffer.from(input), key.keyPem);
  return `${input}.${base64url(signature)}`;
}
