// RFC3339 as Go reads (`time.Parse(time.RFC3339, …)`) and Kubernetes writes (`metav1.Time`: UTC, whole
// seconds) it.

const pattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{1,2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch of Go's zero time, 0001-01-01T00:00:00Z, which Kubernetes writes as null. */
export const goZeroTimeMs = -62_135_596_800_000;

/** Parses an RFC3339 timestamp the way Go's `time.Parse(time.RFC3339, s)` does; undefined when invalid. */
export function parseRfc3339(text: string): Date | undefined {
  const m = pattern.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const zone = m[8]!;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return new Date(date.getTime() - offsetMinutes * 60_000);
}

/** Formats a date as RFC3339 in UTC with whole seconds (`2026-01-01T00:00:00Z`), as `metav1.Time` does. */
export function formatRfc3339Seconds(date: Date): string {
  const p2 = (n: number) => String(n).padStart(2, '0');
  const year = date.getUTCFullYear();
  const y = year < 0 ? `-${String(-year).padStart(4, '0')}` : String(year).padStart(4, '0');
  return (
    `${y}-${p2(date.getUTCMonth() + 1)}-${p2(date.getUTCDate())}` +
    `T${p2(date.getUTCHours())}:${p2(date.getUTCMinutes())}:${p2(date.getUTCSeconds())}Z`
  );
}

/** Reads a Kubernetes timestamp given as a Date or an RFC3339 string; undefined when absent or invalid. */
export function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'string') return parseRfc3339(value);
  return undefined;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
