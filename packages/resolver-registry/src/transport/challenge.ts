/** One authentication challenge from a `WWW-Authenticate` header, e.g. `Bearer realm="…",service="…"`. */
export interface Challenge {
  /** The scheme, lower-cased (`basic`, `bearer`, …). */
  readonly scheme: string;
  /** Auth parameters with lower-cased names (`realm`, `service`, `scope`, `error`). */
  readonly params: Readonly<Record<string, string>>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

/**
 * Parses a `WWW-Authenticate` header value (RFC 7235) into its challenges, in order.
 * Tolerant by design: registries in the wild send unquoted values and stray spaces; anything that
 * cannot be parsed ends the parse and what was read so far is returned.
 */
export function parseChallenges(header: string | readonly string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  if (typeof header !== 'string') return header.flatMap((h) => parseChallenges(h));
  const out: Challenge[] = [];
  let rest = header;
  let current: { scheme: string; params: Record<string, string> } | undefined;
  const skip = (re: RegExp) => {
    rest = rest.replace(re, '');
  };
  skip(/^[\s,]+/);
  while (rest.length > 0) {
    const word = TOKEN.exec(rest)?.[0];
    if (word === undefined) break;
    const after = rest.slice(word.length);
    const paramMatch = /^\s*=\s*/.exec(after);
    // `name=` starts an auth-param of the current challenge; a bare word starts a new challenge.
    // (A token68 like `Basic abc==` is consumed as a parameter-less challenge followed by junk.)
    if (paramMatch && current && !/^\s*=\s*=/.test(after)) {
      rest = after.slice(paramMatch[0].length);
      let value: string;
      if (rest.startsWith('"')) {
        let i = 1;
        value = '';
        while (i < rest.length && rest[i] !== '"') {
          if (rest[i] === '\\' && i + 1 < rest.length) i++;
          value += rest[i];
          i++;
        }
        rest = rest.slice(Math.min(i + 1, rest.length));
      } else {
        const m = /^[^,\s]*/.exec(rest)?.[0] ?? '';
        value = m;
        rest = rest.slice(m.length);
      }
      current.params[word.toLowerCase()] = value;
    } else if (paramMatch) {
      break;
    } else {
      current = { scheme: word.toLowerCase(), params: {} };
      out.push(current);
      rest = after;
    }
    skip(/^[\s,]+/);
  }
  return out;
}
