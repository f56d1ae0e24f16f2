/**
 * Formats rows as kubectl does: upper-case headers, left-aligned columns separated by three spaces, no
 * borders, `<none>` for empty cells, no trailing spaces.
 */
export function formatTable(headers: readonly string[], rows: readonly (readonly CellValue[])[]): string {
  const cells = [headers.map((h) => h.toUpperCase()), ...rows.map((r) => r.map(cellText))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd((widths[i] as number) + 3)))
        .join('')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}

/** What a table cell accepts; `undefined`, `null` and `''` print as `<none>`. */
export type CellValue = string | number | undefined | null;

function cellText(v: CellValue): string {
  if (v === undefined || v === null || v === '') return '<none>';
  return String(v);
}
