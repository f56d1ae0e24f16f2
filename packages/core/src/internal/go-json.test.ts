import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareUtf8, goJsonObject, goJsonString, wellFormed } from './go-json.js';

describe('goJsonString (Go encoding/json string encoding)', () => {
  it.each([
    ['plain', '"plain"'],
    ['<a>&b', '"\\u003ca\\u003e\\u0026b"'],
    ['\u2028\u2029', '"\\u2028\\u2029"'],
    ['"\\', '"\\"\\\\"'],
    ['\b\f\n\r\t', '"\\b\\f\\n\\r\\t"'],
    ['\u0000\u0001\u001f\u007f', '"\\u0000\\u0001\\u001f\u007f"'],
    ['é😀', '"é😀"'],
    ['a\ud800b', '"a\ufffdb"'],
    ['a\udc00', '"a\ufffd"'],
    ['\ud83d', '"\ufffd"'],
  ])('%j → %s', (input, expected) => {
    expect(goJsonString(input)).toBe(expected);
  });

  it('is valid JSON for the same string whenever the string is well-formed UTF-16', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(JSON.parse(goJsonString(s))).toBe(s);
      }),
    );
  });
});

describe('wellFormed', () => {
  it('replaces lone surrogates only', () => {
    expect(wellFormed('a\ud800b\udc00c\u{1f600}')).toBe('a\ufffdb\ufffdc\u{1f600}');
  });

  it('agrees with a UTF-8 round trip', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(wellFormed(s)).toBe(Buffer.from(s, 'utf8').toString('utf8'));
      }),
      { numRuns: 500 },
    );
  });
});

describe('compareUtf8', () => {
  it('orders by code point, not UTF-16 unit', () => {
    expect(compareUtf8('\uff01', '\u{1f600}')).toBeLessThan(0);
    expect('\uff01' < '\u{1f600}').toBe(false);
    expect(compareUtf8('Beta', 'alpha')).toBeLessThan(0);
    expect(compareUtf8('a', 'ab')).toBeLessThan(0);
    expect(compareUtf8('ab', 'a')).toBeGreaterThan(0);
    expect(compareUtf8('x', 'x')).toBe(0);
  });

  it('agrees with a byte comparison of the UTF-8 encodings', () => {
    const utf8 = (s: string) => Buffer.from(s, 'utf8');
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(Math.sign(compareUtf8(a, b))).toBe(Math.sign(Buffer.compare(utf8(a), utf8(b))));
      }),
      { numRuns: 500 },
    );
  });

  it('goJsonObject sorts keys', () => {
    expect(
      goJsonObject([
        ['b', '1'],
        ['a', '2'],
      ]),
    ).toBe('{"a":2,"b":1}');
  });
});
