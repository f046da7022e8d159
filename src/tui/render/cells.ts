/**
 * Cell widths and cell-exact slicing of styled rows. Rows from the daemon are SGR-styled text of
 * exactly `cols` cells; the compositor writes them as they are, and only slices them when a
 * pane's frame and its rectangle disagree for a moment (a resize in flight) or an overlay covers
 * part of a pane.
 */

import { WIDTH_RANGES } from './unicode-widths.js';

/** How many terminal cells one code point takes (0, 1 or 2), as the daemon's xterm screens count them. */
export function charWidth(codePoint: number): number {
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0)) return 0;
  if (codePoint < 0x300) return 1;
  // Binary search over the [from, to, width] triples.
  let low = 0;
  let high = WIDTH_RANGES.length / 3 - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const at = middle * 3;
    if (codePoint < WIDTH_RANGES[at]!) high = middle - 1;
    else if (codePoint > WIDTH_RANGES[at + 1]!) low = middle + 1;
    else return WIDTH_RANGES[at + 2]!;
  }
  return 1;
}

/** Cells taken by plain text (no escape sequences). */
export function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch.codePointAt(0)!);
  return width;
}

// An escape sequence: CSI … final byte, OSC … BEL/ST, or a two-byte ESC sequence.
const escapeSequence = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/y;

/**
 * Returns the cells [from, from + width) of a styled row, keeping every style sequence that
 * applies, padded with unstyled spaces when the row is shorter. A wide character cut in half becomes
 * a space, so the result is always exactly `width` cells. Styles are reset before the padding.
 */
export function sliceCells(row: string, from: number, width: number): string {
  let out = '';
  let styles = ''; // style sequences seen before `from`, replayed at the start of the slice
  let cell = 0;
  const end = from + width;
  let i = 0;
  while (i < row.length && cell < end) {
    if (row.charCodeAt(i) === 0x1b) {
      escapeSequence.lastIndex = i;
      const match = escapeSequence.exec(row);
      if (match) {
        if (cell < from) styles += match[0];
        else out += match[0];
        i += match[0].length;
        continue;
      }
    }
    const cp = row.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    i += ch.length;
    const w = charWidth(cp);
    if (w === 0) {
      if (cell > from && cell <= end) out += ch;
      continue;
    }
    if (cell >= from && cell + w <= end) out += ch;
    else if (cell < from && cell + w > from) out += ' '.repeat(cell + w - from); // right half of a cut wide char
    else if (cell >= from && cell + w > end) out += ' '.repeat(end - cell); // left half at the edge
    cell += w;
  }
  const written = Math.min(Math.max(cell, from), end) - from;
  return `${styles}${out}\x1b[0m${' '.repeat(Math.max(0, width - written))}`;
}

/** Removes escape sequences from a styled row, leaving its text. */
export function stripAnsi(row: string): string {
  return row.replace(/\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g, '');
}
