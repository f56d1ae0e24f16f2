import type { ResolveOptions } from '@agentbox/core';
import type { CacheOperation } from '../cache-event.js';
import {
  cacheKey,
  credentialIdentity,
  flatCacheKey,
  normaliseReference,
  secretsIdentity,
} from '../cache-key.js';

/** Keys of one operation on one reference: first level by namespace (or custom identity), then by secrets. */
type KeyTable = Map<string, Map<string, string>>;

/** What the memo knows about one reference string as callers spell it. */
export interface MemoRecord {
  /** The normalised reference; `undefined` when the reference bypasses the cache. */
  readonly reference: string | undefined;
  readonly resolveKeys: KeyTable;
  readonly configKeys: KeyTable;
}

/**
 * A bounded memo from (reference as written, operation, credentials) to the flat cache key.
 *
 * Why: a hit must cost well under a microsecond. Re-parsing the reference and looking
 * up a freshly concatenated key (V8 must flatten and hash the rope on every lookup)
 * cost more than the rest of the hit together. Here a hit looks up strings the caller
 * already holds (the reference, the namespace, a secret name), whose hashes V8 keeps,
 * and gets one flat key string. With the default identity the credentials are looked
 * up as namespace then secrets: for no or one pull secret no string is built on a hit;
 * for several, only their comma-joined names (see `secretsIdentity`).
 * When `capacity` keys are memoised it starts over (the working set refills at once).
 */
export class KeyMemo {
  readonly #records = new Map<string, MemoRecord>();
  readonly #capacity: number;
  readonly #identityOf: (opts: ResolveOptions | undefined) => string;
  #keys = 0;

  constructor(capacity: number, identityOf: (opts: ResolveOptions | undefined) => string) {
    this.#capacity = capacity;
    this.#identityOf = identityOf;
  }

  /** The record of `ref`, parsed once. */
  record(ref: string): MemoRecord {
    let record = this.#records.get(ref);
    if (record === undefined) {
      if (this.#records.size >= this.#capacity) this.#clear();
      record = { reference: normaliseReference(ref), resolveKeys: new Map(), configKeys: new Map() };
      this.#records.set(ref, record);
    }
    return record;
  }

  /** The flat cache key of `operation` on the record's reference for the credentials of `opts`. */
  key(
    record: MemoRecord,
    reference: string,
    operation: CacheOperation,
    opts: ResolveOptions | undefined,
  ): string {
    let first: string;
    let second: string;
    if (this.#identityOf === credentialIdentity) {
      first = opts?.namespace ?? '';
      second = secretsIdentity(opts?.pullSecrets);
    } else {
      first = this.#identityOf(opts);
      second = '';
    }
    const table = operation === 'resolve' ? record.resolveKeys : record.configKeys;
    let keys = table.get(first);
    if (keys === undefined) {
      keys = new Map();
      table.set(first, keys);
    }
    let key = keys.get(second);
    if (key === undefined) {
      key = flatCacheKey(cacheKey(reference, operation, this.#identityOf(opts)));
      if (this.#keys >= this.#capacity) this.#clear();
      keys.set(second, key);
      this.#keys++;
    }
    return key;
  }

  #clear(): void {
    // Records handed out stay usable: they are only detached from the memo.
    this.#records.clear();
    this.#keys = 0;
  }
}
