import { visibleLine } from '../../common/visible-text.js';

/**
 * Rows of cells as aligned text columns (two spaces apart; the last column is not padded).
 * Every cell is one line with its controls made visible: cells hold titles, labels and names
 * from the journal, and a newline in one would forge a row of the list.
 */
export function table(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  const cells = rows.map((row) => row.map(visibleLine));
  const widths: number[] = [];
  for (const row of cells) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}
