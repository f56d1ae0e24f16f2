// The digest grammar of the OCI image spec as go-digest enforces it: `algorithm:hex`, the algorithm
// registered and the hex lower-case and exactly as long as that algorithm's output.

const digestPattern = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

const hexLengths: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

/** Returns why `digest` is not a valid content digest, or `undefined` when it is. */
export function digestProblem(digest: string): string | undefined {
  if (!digestPattern.test(digest)) return 'invalid digest format';
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const length = Object.hasOwn(hexLengths, algorithm) ? hexLengths[algorithm] : undefined;
  if (length === undefined) return `unsupported digest algorithm ${JSON.stringify(algorithm)}`;
  if (hex.length !== length)
    return `${algorithm} digest must have ${length} hex characters, got ${hex.length}`;
  if (!/^[a-f0-9]+$/.test(hex)) return 'digest hex must be lower-case';
  return undefined;
}
