/**
 * Formats rows as Kafka's tools print them: space-aligned, left-justified columns, each as wide
 * as its longest cell, separated by one space (no box drawing, so output stays easy to grep).
 */
export function formatColumns(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join(' ')
      .trimEnd();
  return `${[headers, ...rows].map(line).join('\n')}\n`;
}
