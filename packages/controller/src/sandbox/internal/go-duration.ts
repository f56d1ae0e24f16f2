// Kubernetes durations are Go `time.Duration` strings (`2m0s`, `1h30m`, `500ms`); the pool spec holds them
// and users type them, so both directions follow Go's time package.

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds of a Go duration string (`2m0s`, `90s`, `1h30m`, `0`), or undefined when it does not parse. */
export function parseGoDuration(text: string): number | undefined {
  let s = text.trim();
  if (s === '') return undefined;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  const part = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  let total = 0;
  let matched = false;
  while (s !== '') {
    const m = part.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * (UNITS[m[2]!] ?? Number.NaN);
    s = s.slice(m[0].length);
    matched = true;
  }
  return matched && Number.isFinite(total) ? sign * total : undefined;
}

/** Go's `time.Duration.String()` of a millisecond count, e.g. 120000 → `2m0s`, 1500 → `1.5s`, 0 → `0s`. */
export function formatGoDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const negative = ms < 0;
  let rest = Math.round(Math.abs(ms));
  if (rest === 0) return '0s';
  let out: string;
  if (rest < 1000) {
    out = `${rest}ms`;
  } else {
    const hours = Math.floor(rest / 3_600_000);
    rest -= hours * 3_600_000;
    const minutes = Math.floor(rest / 60_000);
    rest -= minutes * 60_000;
    const seconds = rest / 1000;
    const secText = `${Number.isInteger(seconds) ? seconds : seconds.toFixed(3).replace(/0+$/, '')}s`;
    out = hours > 0 ? `${hours}h${minutes}m${secText}` : minutes > 0 ? `${minutes}m${secText}` : secText;
  }
  return negative ? `-${out}` : out;
}
