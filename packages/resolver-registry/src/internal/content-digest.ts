import { createHash } from 'node:crypto';

/** Hex length of each digest algorithm a body can be verified with (OCI's registered ones Node can compute). */
const HEX_LENGTHS: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

// OCI image-spec digest grammar: algorithm-component (separator component)* ":" encoded.
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const LOWER_HEX = /^[a-f0-9]+$/;

/**
 * True when `digest` follows the OCI digest grammar with an algorithm this package can verify (sha256, sha384,
 * sha512) and exactly that algorithm's number of lower-case hex characters. Anything else (an empty string, a
 * path, an unknown algorithm) is never put into a URL nor compared as a digest.
 */
export function isVerifiableDigest(digest: unknown): digest is string {
  if (typeof digest !== 'string' || !DIGEST_GRAMMAR.test(digest)) return false;
  const colon = digest.indexOf(':');
  const length = HEX_LENGTHS[digest.slice(0, colon)];
  const hex = digest.slice(colon + 1);
  return length !== undefined && hex.length === length && LOWER_HEX.test(hex);
}

/** The digest of `body` with the algorithm of `like` (a verifiable digest), e.g. `sha512:…`. */
export function digestWithAlgorithmOf(like: string, body: Uint8Array): string {
  const algorithm = like.slice(0, like.indexOf(':'));
  return `${algorithm}:${createHash(algorithm).update(body).digest('hex')}`;
}

/** The sha256 digest of `body`, the algorithm registries address manifests by. */
export function sha256Digest(body: Uint8Array): string {
  return `sha256:${createHash('sha256').update(body).digest('hex')}`;
}
