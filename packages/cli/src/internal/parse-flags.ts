import { usageError } from '../cli-error.js';

/** Parses a non-negative integer flag (`--replicas`); a usage error otherwise. */
export function parseCount(text: string, flag: string): number {
  if (!/^\d+$/.test(text.trim()))
    throw usageError(`invalid value for ${flag}: "${text}" (want a whole number ≥ 0)`);
  const n = Number(text);
  if (n > 2_147_483_647) throw usageError(`invalid value for ${flag}: "${text}" (too large)`);
  return n;
}

/** Parses repeated `key=value` flags into an object; a usage error for an entry without `=` or key. */
export function parsePairs(values: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const at = v.indexOf('=');
    if (at <= 0) throw usageError(`invalid value for ${flag}: "${v}" (want key=value)`);
    out[v.slice(0, at)] = v.slice(at + 1);
  }
  return out;
}
