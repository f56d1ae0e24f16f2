/** One measured figure, as printed and as written to the JSON results. */
export interface Figure {
  readonly id: number;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The target, e.g. `>= 0.8`; `pass` says whether `value` meets it. */
  readonly target: string;
  readonly pass: boolean;
  /** What `value` is compared with, and the ratio value / baseline. */
  readonly baseline: { readonly name: string; readonly value: number; readonly unit: string };
  readonly ratio: number;
}

const fmt = (n: number): string =>
  Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 3 });

/** Renders the figures as a fixed-width table. */
export function formatTable(figures: readonly Figure[]): string {
  const rows = [
    ['#', 'figure', 'value', 'target', 'pass', 'baseline', 'ratio'],
    ...figures.map((f) => [
      String(f.id),
      f.name,
      `${fmt(f.value)} ${f.unit}`,
      f.target,
      f.pass ? 'PASS' : 'FAIL',
      `${f.baseline.name}: ${fmt(f.baseline.value)} ${f.baseline.unit}`,
      fmt(f.ratio),
    ]),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  const line = (row: string[]): string => row.map((cell, col) => cell.padEnd(widths[col]!)).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** One row of the agentbox-against-ggcr table. */
export interface ComparisonRow {
  readonly registry: string;
  readonly concurrency: number;
  readonly ratio: number;
  readonly agentboxPerSecond: number;
  readonly ggcrPerSecond: number;
  readonly connections: { readonly resolves: number; readonly agentbox: number; readonly ggcr: number };
  readonly agentboxCpuMicros: number;
  readonly ggcrCpuMicros: number;
}

/** Renders uncached resolves of agentbox against go-containerregistry, one row per registry and concurrency. */
export function formatComparison(rows: readonly ComparisonRow[]): string {
  const table = [
    [
      'registry',
      'concurrency',
      'agentbox / ggcr',
      'resolves/s (agentbox / ggcr)',
      'TCP connections (agentbox / ggcr)',
      'CPU per resolve (agentbox / ggcr)',
    ],
    ...rows.map((r) => [
      r.registry,
      String(r.concurrency),
      r.ratio.toFixed(2),
      `${Math.round(r.agentboxPerSecond)} / ${Math.round(r.ggcrPerSecond)}`,
      `${r.connections.agentbox} / ${r.connections.ggcr} (${r.connections.resolves} sequential)`,
      `${Math.round(r.agentboxCpuMicros)} µs / ${Math.round(r.ggcrCpuMicros)} µs`,
    ]),
  ];
  const widths = table[0]!.map((_, col) => Math.max(...table.map((row) => row[col]!.length)));
  const line = (row: string[]): string => row.map((cell, col) => cell.padEnd(widths[col]!)).join('  ');
  return [line(table[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...table.slice(1).map(line)].join(
    '\n',
  );
}
