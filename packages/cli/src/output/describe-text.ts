import { formatAge } from './duration.js';
import { formatTable } from './format-table.js';

/** A core/v1 Event as describe prints it. */
export interface KubeEvent {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  metadata?: { creationTimestamp?: string };
  source?: { component?: string };
  reportingComponent?: string;
}

/** kubectl describe's `Key:  value` block: keys padded to one column, nested lines indented by two. */
export function describeFields(
  fields: readonly (readonly [string, string | undefined])[],
  indent = 0,
): string {
  const pad = Math.max(...fields.map(([k]) => k.length)) + 2;
  const prefix = ' '.repeat(indent);
  return fields
    .map(([k, v]) =>
      `${prefix}${`${k}:`.padEnd(pad + 1)}${v === undefined || v === '' ? '<none>' : v}`.trimEnd(),
    )
    .join('\n')
    .concat('\n');
}

/** `k=v` lines of a map, or `<none>`, as kubectl prints labels and annotations. */
export function describeMap(map: Record<string, string> | undefined, indentWidth: number): string {
  const entries = Object.entries(map ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return '<none>';
  return entries.map(([k, v]) => `${k}=${v}`).join(`\n${' '.repeat(indentWidth)}`);
}

/** The `Events:` section: the last `limit` events, oldest first, as kubectl describe shows them. */
export function describeEvents(events: readonly KubeEvent[], now: number, limit = 10): string {
  if (events.length === 0) return 'Events:  <none>\n';
  const time = (e: KubeEvent) => e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '';
  const sorted = [...events].sort((a, b) => Date.parse(time(a)) - Date.parse(time(b))).slice(-limit);
  const rows = sorted.map((e) => {
    const age = formatAge(time(e), now);
    const count = (e.count ?? 1) > 1 ? `${age} (x${e.count} over ${formatAge(e.firstTimestamp, now)})` : age;
    return [e.type, e.reason, count, e.source?.component ?? e.reportingComponent, e.message];
  });
  return `Events:\n${indent(formatTable(['Type', 'Reason', 'Age', 'From', 'Message'], rows), 2)}`;
}

/** Indents every line of `text` by `n` spaces. */
export function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}
