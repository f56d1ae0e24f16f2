/**
 * How many idle pods a template roll may take away at once: `maxUnavailable` as a count or a percentage of
 * `replicas` (rounded down, like a Deployment's), default 25 %, never less than 1.
 */
export function maxUnavailableOf(value: number | string | undefined, replicas: number): number {
  const base = Math.max(0, replicas);
  let n: number;
  if (typeof value === 'number' && Number.isFinite(value)) n = Math.floor(value);
  else if (typeof value === 'string' && /^\s*\d+(\.\d+)?%\s*$/.test(value)) {
    n = Math.floor((base * Number.parseFloat(value)) / 100);
  } else if (typeof value === 'string' && /^\s*\d+\s*$/.test(value)) n = Number(value);
  else n = Math.floor(base * 0.25);
  return Math.max(1, n);
}
