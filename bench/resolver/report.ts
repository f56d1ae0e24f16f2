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
