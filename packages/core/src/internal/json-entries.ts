// JSON.parse keeps only the last of repeated keys and turns every number into a double, so it cannot
// show what Go's json.Unmarshal sees: Go decodes a repeated map field into the map it already holds
// (merging), and refuses `1.0` or `1e2` for an integer field. This reads already-validated JSON into a
// tree that keeps every key, in order, and every number's literal text.

/** A JSON number as written in the source text. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

/** A JSON object with its keys in source order, repeated keys included. */
export class JsonObject {
  constructor(readonly entries: readonly (readonly [string, JsonNode])[]) {}
}

/** A JSON value whose objects keep repeated keys and whose numbers keep their text. */
export type JsonNode = null | boolean | string | JsonNumber | JsonNode[] | JsonObject;

/** Reads `text`, which must already have passed `JSON.parse`, into a JsonNode. */
export function readJsonEntries(text: string): JsonNode {
  let i = 0;
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    // The slice is one valid JSON string literal: JSON.parse decodes its escapes, lone surrogates included.
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): JsonNode => {
    skipSpace();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: [string, JsonNode][] = [];
      skipSpace();
      if (text[i] === '}') {
        i++;
        return new JsonObject(entries);
      }
      for (;;) {
        skipSpace();
        const key = string();
        skipSpace();
        i++; // ':'
        entries.push([key, value()]);
        skipSpace();
        if (text[i++] === '}') return new JsonObject(entries);
      }
    }
    if (c === '[') {
      i++;
      const items: JsonNode[] = [];
      skipSpace();
      if (text[i] === ']') {
        i++;
        return items;
      }
      for (;;) {
        items.push(value());
        skipSpace();
        if (text[i++] === ']') return items;
      }
    }
    if (c === '"') return string();
    for (const [word, literal] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return literal;
      }
    }
    const start = i;
    while (i < text.length && '+-.eE0123456789'.includes(text[i]!)) i++;
    return new JsonNumber(text.slice(start, i));
  };
  return value();
}
