// Kubernetes prints durations as Go's `time.Duration` does (`2m0s`, `1h30m`, `500ms`); parsing them is
// parseKubeDuration's job (src/pool).

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
