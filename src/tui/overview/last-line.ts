import { stripAnsi } from '../render/cells.js';

/**
 * The last line of a screen that says something: the lowest row with a letter or a digit,
 * trimmed — skipping blank rows, borders and spinner-only rows, so a prompt or the latest
 * output shows rather than an empty input box.
 */
export function lastMeaningfulLine(rows: readonly string[]): string {
  for (let i = rows.length - 1; i >= 0; i--) {
    const text = stripAnsi(rows[i]!).trim();
    if (/[\p{L}\p{N}]/u.test(text)) return text.replace(/\s{2,}/g, ' ');
  }
  return '';
}
