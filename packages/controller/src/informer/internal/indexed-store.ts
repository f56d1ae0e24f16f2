import type { InformerEventType } from '../informer.js';

/** A change the store made, for the handlers. */
export interface StoreChange<T> {
  type: InformerEventType;
  obj: T;
  old: T | undefined;
}

/**
 * The informer's cache: objects by key plus, per named indexer, the keys under every index value. Objects are
 * stored as given (already trimmed) and shared with every reader.
 */
export class IndexedStore<T> {
  private readonly objects = new Map<string, T>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(
    private readonly keyOf: (obj: T) => string,
    private readonly versionOf: (obj: T) => string | undefined,
    private readonly indexers: Readonly<Record<string, (obj: T) => string[]>>,
  ) {
    for (const name of Object.keys(indexers)) this.indices.set(name, new Map());
  }

  get size(): number {
    return this.objects.size;
  }

  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  values(): IterableIterator<T> {
    return this.objects.values();
  }

  list(): T[] {
    return Array.from(this.objects.values());
  }

  byIndex(index: string, value: string): T[] {
    const keys = this.indices.get(index)?.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const key of keys) {
      const obj = this.objects.get(key);
      if (obj !== undefined) out.push(obj);
    }
    return out;
  }

  /** Stores an added or modified object; returns the change. */
  upsert(obj: T): StoreChange<T> {
    const key = this.keyOf(obj);
    const old = this.objects.get(key);
    this.objects.set(key, obj);
    this.reindex(key, old, obj);
    return { type: old === undefined ? 'add' : 'update', obj, old };
  }

  /** Removes a deleted object (the cached copy when the event's is unknown); returns the change. */
  remove(obj: T): StoreChange<T> {
    const key = this.keyOf(obj);
    const old = this.objects.get(key);
    if (old !== undefined) {
      this.objects.delete(key);
      this.reindex(key, old, undefined);
    }
    return { type: 'delete', obj, old };
  }

  /**
   * Replaces the whole content with a fresh list; returns the differences (objects whose resourceVersion did
   * not change keep their cached copy and produce no change).
   */
  replace(fresh: Map<string, T>): StoreChange<T>[] {
    const changes: StoreChange<T>[] = [];
    for (const [key, old] of this.objects) {
      if (!fresh.has(key)) {
        this.objects.delete(key);
        this.reindex(key, old, undefined);
        changes.push({ type: 'delete', obj: old, old });
      }
    }
    for (const [key, obj] of fresh) {
      const old = this.objects.get(key);
      if (old !== undefined && this.versionOf(old) === this.versionOf(obj)) continue;
      this.objects.set(key, obj);
      this.reindex(key, old, obj);
      changes.push({ type: old === undefined ? 'add' : 'update', obj, old });
    }
    return changes;
  }

  private reindex(key: string, old: T | undefined, obj: T | undefined): void {
    for (const [name, indexer] of Object.entries(this.indexers)) {
      const index = this.indices.get(name)!;
      const before = old === undefined ? [] : indexer(old);
      const after = obj === undefined ? [] : indexer(obj);
      if (before.length === after.length && before.every((v, i) => v === after[i])) continue;
      for (const value of before) {
        const keys = index.get(value);
        if (!keys) continue;
        keys.delete(key);
        if (keys.size === 0) index.delete(value);
      }
      for (const value of after) {
        const keys = index.get(value);
        if (keys) keys.add(key);
        else index.set(value, new Set([key]));
      }
    }
  }
}
