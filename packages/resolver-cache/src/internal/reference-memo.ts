import { normaliseReference } from '../cache-key.js';

// Sentinel for "carries a digest or unparsable", so a memoised `undefined` is told
// apart from "not memoised yet" with a single Map lookup.
const BYPASS = '';

/**
 * A bounded memo of `normaliseReference`: the hit path must not re-parse the same few
 * references millions of times. When full it starts over (references repeat, so it
 * refills at once); it holds at most `capacity` strings.
 */
export class ReferenceMemo {
  readonly #memo = new Map<string, string>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** `normaliseReference(ref)`, memoised. */
  normalise(ref: string): string | undefined {
    let normalised = this.#memo.get(ref);
    if (normalised === undefined) {
      normalised = normaliseReference(ref) ?? BYPASS;
      if (this.#memo.size >= this.#capacity) this.#memo.clear();
      this.#memo.set(ref, normalised);
    }
    return normalised === BYPASS ? undefined : normalised;
  }
}
