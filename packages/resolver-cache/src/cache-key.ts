import { parseImageReference, type ResolveOptions } from '@agentbox/core';
import type { CacheOperation } from './cache-event.js';

// '\n' never occurs in an image reference, a namespace or a secret name, so the parts
// of a key can be split back without escaping.
const SEPARATOR = '\n';

/**
 * The normalised form of a tagged reference, the part of a key that `ubuntu` and
 * `docker.io/library/ubuntu:latest` share; `undefined` when the reference carries a
 * digest (it resolves without network and is never cached) or cannot be parsed (the
 * upstream resolver reports that error itself, uncached).
 */
export function normaliseReference(ref: string): string | undefined {
  let parsed: ReturnType<typeof parseImageReference>;
  try {
    parsed = parseImageReference(ref);
  } catch {
    return undefined;
  }
  if (parsed.digest !== undefined) return undefined;
  return `${parsed.name}:${parsed.tag ?? 'latest'}`;
}

/**
 * The default credential identity of a call: its namespace and its sorted, de-duplicated
 * pull-secret names. Two callers share an entry only when they would present the same
 * credentials, so a digest fetched with a secret never answers a caller without it.
 */
export function credentialIdentity(opts: ResolveOptions | undefined): string {
  if (opts === undefined) return '';
  const namespace = opts.namespace ?? '';
  const secrets = secretsIdentity(opts.pullSecrets);
  return secrets === '' ? namespace : `${namespace}/${secrets}`;
}

/** Pull-secret names sorted, de-duplicated and comma-joined; `''` for none. */
export function secretsIdentity(secrets: readonly string[] | undefined): string {
  if (secrets === undefined || secrets.length === 0) return '';
  if (secrets.length === 1) return secrets[0]!;
  // Pods list their secrets in a stable order, usually sorted: skip the copy and sort then.
  for (let i = 1; i < secrets.length; i++) {
    if (!(secrets[i - 1]! < secrets[i]!)) return [...new Set(secrets)].sort().join(',');
  }
  return secrets.join(',');
}

/** The cache key of one operation on one normalised reference for one credential identity. */
export function cacheKey(reference: string, operation: CacheOperation, identity: string): string {
  return reference + SEPARATOR + operation + SEPARATOR + identity;
}

/**
 * The same key as one flat string, for storing. `cacheKey` concatenates, and V8 keeps a
 * concatenation as a tree of rope (cons) strings, about 80 bytes more per stored key
 * than the flat string `join` builds; lookups keep the cheaper concatenation.
 */
export function flatCacheKey(key: string): string {
  return key.split(SEPARATOR).join(SEPARATOR);
}

/** The prefix shared by every key of `reference`, whatever the operation or identity. */
export function keyPrefix(reference: string): string {
  return reference + SEPARATOR;
}

/** The normalised reference and operation a key was built from. */
export function splitCacheKey(key: string): { reference: string; operation: CacheOperation } {
  const first = key.indexOf(SEPARATOR);
  const second = key.indexOf(SEPARATOR, first + 1);
  return {
    reference: key.slice(0, first),
    operation: key.slice(first + 1, second) as CacheOperation,
  };
}
