const unitMs: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Milliseconds of a Kubernetes duration string as Go's `time.ParseDuration` reads it (`"2m0s"`, `"90s"`,
 * `"1h30m"`, `"1.5h"`, `"0"`); `undefined` for an empty, negative or malformed value.
 */
export function parseKubeDuration(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const s = text.trim();
  if (s === '') return undefined;
  if (s === '0' || s === '+0') return 0;
  const body = s.startsWith('+') ? s.slice(1) : s;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  let index = 0;
  while (index < body.length) {
    part.lastIndex = index;
    const m = part.exec(body);
    if (m === null) return undefined;
    total += Number(m[1]) * unitMs[m[2]!]!;
    index = part.lastIndex;
  }
  return index === 0 ? undefined : Math.round(total);
}
