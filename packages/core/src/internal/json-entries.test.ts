import { describe, expect, it } from 'vitest';
import { InvalidStateError } from '../errors/invalid-state-error.js';
import { parseInplaceUpdateState } from '../state/parse-inplace-update-state.js';
import {
  JsonDepthError,
  type JsonNumber,
  JsonObject,
  maxJsonNestingDepth,
  readJsonEntries,
} from './json-entries.js';

// The state object is level 1; arrays inside it fill the levels up to `depth`.
const nested = (depth: number) => `{"phase":"starting","x":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;

describe('readJsonEntries', () => {
  it('keeps repeated keys in order and numbers as written', () => {
    const node = readJsonEntries(' { "a" : [1.0, {"b":null,"b":true}, [], {}], "a":"x" } ') as JsonObject;
    expect(node).toBeInstanceOf(JsonObject);
    expect(node.entries.map(([k]) => k)).toEqual(['a', 'a']);
    const [first, second] = node.entries;
    const items = first?.[1] as unknown[];
    expect((items[0] as JsonNumber).text).toBe('1.0');
    expect((items[1] as JsonObject).entries).toEqual([
      ['b', null],
      ['b', true],
    ]);
    expect(items[2]).toEqual([]);
    expect((items[3] as JsonObject).entries).toEqual([]);
    expect(second?.[1]).toBe('x');
  });

  it('reads a document nested as deep as Go allows without overflowing the stack', () => {
    const text = nested(maxJsonNestingDepth);
    expect(() => readJsonEntries(text)).not.toThrow();
    expect(parseInplaceUpdateState(text, 'ns/pod')).toEqual({ phase: 'starting' });
  });

  it('refuses a deeper one like Go (exceeded max depth), as an InvalidStateError from the parser', () => {
    expect(() => readJsonEntries(nested(maxJsonNestingDepth + 1))).toThrow(JsonDepthError);
    const objects = `${'{"y":'.repeat(maxJsonNestingDepth)}1${'}'.repeat(maxJsonNestingDepth)}`;
    expect(() => readJsonEntries(objects)).not.toThrow();
    expect(() => readJsonEntries(`[${objects}]`)).toThrow(JsonDepthError);
    for (const deep of [nested(maxJsonNestingDepth + 1), nested(100_000)]) {
      const err = (() => {
        try {
          parseInplaceUpdateState(deep, 'ns/pod');
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(InvalidStateError);
      expect((err as InvalidStateError).message).toContain('exceeded max depth');
      expect((err as InvalidStateError).pod).toBe('ns/pod');
    }
  });
});
