import { describe, expect, it } from 'vitest';
import { IndexedStore } from './indexed-store.js';

interface Obj {
  metadata: { name: string; namespace: string; resourceVersion: string; labels?: Record<string, string> };
}

const obj = (name: string, rv: string, pool?: string): Obj => ({
  metadata: { name, namespace: 'ns', resourceVersion: rv, ...(pool ? { labels: { pool } } : {}) },
});

function store() {
  return new IndexedStore<Obj>(
    (o) => `${o.metadata.namespace}/${o.metadata.name}`,
    (o) => o.metadata.resourceVersion,
    { pool: (o) => (o.metadata.labels?.['pool'] ? [o.metadata.labels['pool']] : []) },
  );
}

const names = (objs: Obj[]) => objs.map((o) => o.metadata.name).sort();

describe('IndexedStore', () => {
  it('upsert reports add then update with the old object, and keeps the index current', () => {
    const s = store();
    const a1 = obj('a', '1', 'x');
    expect(s.upsert(a1)).toEqual({ type: 'add', obj: a1, old: undefined });
    const a2 = obj('a', '2', 'y');
    expect(s.upsert(a2)).toEqual({ type: 'update', obj: a2, old: a1 });
    expect(s.byIndex('pool', 'x')).toEqual([]);
    expect(s.byIndex('pool', 'y')).toEqual([a2]);
    expect(s.byIndex('nope', 'y')).toEqual([]);
  });

  it('remove reports the cached copy as old and drops the key from the index', () => {
    const s = store();
    const a = obj('a', '1', 'x');
    s.upsert(a);
    const tombstone = obj('a', '5', 'x');
    expect(s.remove(tombstone)).toEqual({ type: 'delete', obj: tombstone, old: a });
    expect(s.size).toBe(0);
    expect(s.byIndex('pool', 'x')).toEqual([]);
    expect(s.remove(obj('b', '1'))).toEqual({ type: 'delete', obj: obj('b', '1'), old: undefined });
  });

  it('replace emits only the differences and keeps unchanged cached copies', () => {
    const s = store();
    const keep = obj('keep', '1', 'x');
    s.upsert(keep);
    s.upsert(obj('change', '1', 'x'));
    s.upsert(obj('gone', '1', 'x'));
    const changed = obj('change', '2', 'y');
    const added = obj('new', '3', 'x');
    const changes = s.replace(
      new Map([
        ['ns/keep', obj('keep', '1', 'x')],
        ['ns/change', changed],
        ['ns/new', added],
      ]),
    );
    expect(
      changes.map((c) => `${c.type} ${c.obj.metadata.name} ${c.old?.metadata.resourceVersion}`).sort(),
    ).toEqual(['add new undefined', 'delete gone 1', 'update change 1']);
    expect(s.get('ns/keep')).toBe(keep);
    expect(names(s.byIndex('pool', 'x'))).toEqual(['keep', 'new']);
    expect(names(s.byIndex('pool', 'y'))).toEqual(['change']);
    expect(names(s.list())).toEqual(['change', 'keep', 'new']);
  });
});
