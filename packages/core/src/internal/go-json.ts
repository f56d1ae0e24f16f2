// The pieces of Go's encoding/json output that differ from JSON.stringify: HTML-safe escaping, U+2028/2029
// escaped, \b and \f short escapes (Go >= 1.22), other control characters as lower-case \u00XX, and map
// keys sorted by their UTF-8 bytes. A lone surrogate has no UTF-8 form: a JS string reaches Go (through the
// API server) UTF-8 encoded with U+FFFD in its place, which Go writes as is, so that is what we write.

const hex = '0123456789abcdef';

const shortEscapes: Readonly<Record<number, string>> = {
  8: '\\b',
  9: '\\t',
  10: '\\n',
  12: '\\f',
  13: '\\r',
  34: '\\"',
  92: '\\\\',
};

/** A JSON string literal exactly as Go's `json.Marshal` writes it. */
export function goJsonString(value: string): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    let escaped: string | undefined;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      escaped = '\ufffd';
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      escaped = '\ufffd';
    } else if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26) {
      escaped = shortEscapes[c] ?? `\\u00${hex[c >> 4]}${hex[c & 0xf]}`;
    } else if (c === 0x2028 || c === 0x2029) {
      escaped = `\\u${c.toString(16)}`;
    }
    if (escaped !== undefined) {
      out += value.slice(start, i) + escaped;
      start = i + 1;
    }
  }
  return `${out}${value.slice(start)}"`;
}

/** Orders strings by their UTF-8 bytes (= by code point), as Go sorts map keys. */
export function compareUtf8(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(j)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
    j += cb > 0xffff ? 2 : 1;
  }
  return a.length - i - (b.length - j);
}

/** A Go `map[string]V` as `json.Marshal` writes it: keys sorted by UTF-8 bytes, values pre-encoded. */
export function goJsonObject(entries: Iterable<[string, string]>): string {
  const sorted = [...entries]
    .map(([k, v]): [string, string] => [wellFormed(k), v])
    .sort(([a], [b]) => compareUtf8(a, b));
  return `{${sorted.map(([key, value]) => `${goJsonString(key)}:${value}`).join(',')}}`;
}

/** Replaces lone surrogates with U+FFFD, as decoding `"\\ud800"` in Go (or UTF-8 encoding in JS) does. */
export function wellFormed(value: string): string {
  return value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}
