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

/** How deep arrays and objects may nest: Go's decoder refuses a document nested deeper (`exceeded max depth`). */
export const maxJsonNestingDepth = 10_000;

/** The document nests arrays and objects deeper than maxJsonNestingDepth. */
export class JsonDepthError extends Error {
  constructor() {
    super(`exceeded max depth (${maxJsonNestingDepth} nested arrays and objects)`);
    this.name = 'JsonDepthError';
  }
}

type Frame = { readonly entries: [string, JsonNode][]; key: string } | { readonly items: JsonNode[] };

/**
 * Reads `text`, which must already have passed `JSON.parse`, into a JsonNode. It keeps its own stack rather
 * than recursing, so a deeply nested annotation cannot overflow the call stack; deeper than
 * maxJsonNestingDepth it throws JsonDepthError, as Go's decoder refuses it.
 */
export function readJsonEntries(text: string): JsonNode {
  let i = 0;
  const stack: Frame[] = [];
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
  const key = (): string => {
    skipSpace();
    const k = string();
    skipSpace();
    i++; // ':'
    return k;
  };
  const scalar = (): JsonNode => {
    if (text[i] === '"') return string();
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
  for (;;) {
    // One value starts here: an empty container or a scalar is complete at once, a non-empty one is pushed.
    skipSpace();
    const c = text[i];
    let done: JsonNode;
    if (c === '{' || c === '[') {
      // Go counts every array and object, empty ones included.
      if (stack.length + 1 > maxJsonNestingDepth) throw new JsonDepthError();
      i++;
      skipSpace();
      if (text[i] === (c === '{' ? '}' : ']')) {
        i++;
        done = c === '{' ? new JsonObject([]) : [];
      } else {
        stack.push(c === '{' ? { entries: [], key: key() } : { items: [] });
        continue;
      }
    } else {
      done = scalar();
    }
    // Hand the finished value to the containers it completes, innermost first.
    for (;;) {
      const top = stack.at(-1);
      if (top === undefined) return done;
      skipSpace();
      const close = text[i++];
      if ('entries' in top) {
        top.entries.push([top.key, done]);
        if (close !== '}') {
          top.key = key();
          break;
        }
        done = new JsonObject(top.entries);
      } else {
        top.items.push(done);
        if (close !== ']') break;
        done = top.items;
      }
      stack.pop();
    }
  }
}
