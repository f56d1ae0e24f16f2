import { usageError } from '../cli-error.js';

const units: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a Kubernetes (Go `time.ParseDuration`) duration such as `30s`, `2m`, `1h30m`, `1.5s`, `500ms` into
 * milliseconds; a bare `0` is zero. Throws a usage error naming `flag` otherwise.
 */
export function parseDuration(text: string, flag: string): number {
  const s = text.trim();
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let at = 0;
  while (at < s.length) {
    re.lastIndex = at;
    const m = re.exec(s);
    if (!m) break;
    total += Number(m[1]) * (units[m[2] as string] as number);
    at = re.lastIndex;
  }
  if (at !== s.length || s.length === 0) {
    throw usageError(
      `invalid duration for ${flag}: "${text}" (use a Kubernetes duration like 30s, 2m, 1h30m)`,
    );
  }
  return Math.round(total);
}

/** Formats milliseconds like Go's `time.Duration.String()` (what kubectl prints): `2m0s`, `1h30m0s`, `1.5s`, `500ms`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < 1000) return `${sign}${trim(rest)}ms`;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = `${trim(rest / 1000)}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}

function trim(n: number): string {
  return String(Number(n.toFixed(3)));
}

/**
 * The age of a timestamp as kubectl prints it (apimachinery's `HumanDuration`): `45s`, `3m20s`, `45m`, `5h3m`,
 * `30h`, `3d4h`, `200d`, `2y10d`; `<unknown>` without a timestamp.
 */
export function formatAge(since: string | Date | undefined, now: number): string {
  if (since === undefined) return '<unknown>';
  const t = typeof since === 'string' ? Date.parse(since) : since.getTime();
  if (Number.isNaN(t)) return '<unknown>';
  return humanDuration(now - t);
}

/** apimachinery's `duration.HumanDuration`. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const d = Math.floor(hours / 24) % 365;
    const y = Math.floor(hours / 24 / 365);
    return d === 0 ? `${y}y` : `${y}y${d}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}
