/** RFC3339 with whole seconds in UTC (`2026-01-01T00:00:00Z`), the form every agentbox time annotation uses. */
export function formatRfc3339Seconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** Milliseconds since the epoch of an RFC3339 string, or undefined when it does not parse. */
export function parseRfc3339Ms(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}
