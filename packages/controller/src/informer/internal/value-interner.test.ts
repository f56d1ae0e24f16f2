import { describe, expect, it } from 'vitest';
import { ValueInterner } from './value-interner.js';

describe('ValueInterner', () => {
  it('returns one instance per equal value and freezes shared objects deeply', () => {
    const interner = new ValueInterner();
    const first = interner.shared({ a: ['x'], b: { c: 1 } });
    const second = interner.shared({ a: ['x'], b: { c: 1 } });
    expect(second).toBe(first);
    expect(Object.isFrozen(first.a)).toBe(true);
    expect(Object.isFrozen(first.b)).toBe(true);
    expect(interner.shared({ a: ['y'] })).not.toBe(first);
    const s = interner.string(['ab', 'c'].join(''));
    expect(interner.string('abc')).toBe(s);
  });

  it.each([
    { name: 'null', value: null },
    { name: 'a number', value: 3 },
    { name: 'undefined', value: undefined },
  ])('passes $name through', ({ value }) => {
    expect(new ValueInterner().shared(value)).toBe(value);
    expect(new ValueInterner().string(value)).toBe(value);
  });

  it('keeps long values as they are and starts over when the table is full', () => {
    const interner = new ValueInterner(2);
    const long = { v: 'x'.repeat(2000) };
    expect(interner.shared(long)).toBe(long);
    expect(Object.isFrozen(long)).toBe(false);
    const a = interner.shared({ k: 'a' });
    interner.shared({ k: 'b' });
    interner.shared({ k: 'c' });
    // The table was reset: an equal value is a new instance now (only sharing is lost).
    expect(interner.shared({ k: 'a' })).not.toBe(a);
    expect(interner.shared({ k: 'a' })).toEqual(a);
  });
});
