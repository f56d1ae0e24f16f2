/**
 * Makes equal small values share one instance across cached objects (hash-consing): strings by value, small
 * read-only objects and arrays by their JSON. Pods of one pool repeat the same labels, containers, owner
 * references, finalizers and conditions, so 10,000 cached pods hold a few hundred of these instead of tens of
 * thousands. The table is bounded: when full it starts over, which only loses sharing for later values.
 */
export class ValueInterner {
  private strings = new Map<string, string>();
  private values = new Map<string, unknown>();

  constructor(private readonly maxEntries = 8192) {}

  /** The shared instance of a string. */
  string<T>(value: T): T {
    if (typeof value !== 'string' || value.length > 256) return value;
    const known = this.strings.get(value);
    if (known !== undefined) return known as T;
    if (this.strings.size >= this.maxEntries) this.strings = new Map();
    this.strings.set(value, value);
    return value;
  }

  /** The shared, frozen instance of a JSON value equal to `value` (values whose JSON is long are kept as they are). */
  shared<T>(value: T): T {
    if (value === null || typeof value !== 'object') return value;
    const key = JSON.stringify(value);
    if (key.length > 1024) return value;
    const known = this.values.get(key);
    if (known !== undefined) return known as T;
    if (this.values.size >= this.maxEntries) this.values = new Map();
    deepFreeze(value);
    this.values.set(key, value);
    return value;
  }
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
