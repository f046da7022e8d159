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

/** The longest start of `text` that fits in `width` cells (a wide character that would straddle the edge is left out). */
export function cutCells(text: string, width: number): string {
  if (width <= 0) return '';
  let used = 0;
  let out = '';
  for (const ch of text) {
    const w = charWidth(ch.codePointAt(0)!);
    if (used + w > width) break;
    out += ch;
    used += w;
  }
  return out;
}

/** The longest end of `text` that fits in `width` cells (a form field shows the end being typed). */
export function lastCells(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = [...text];
  let used = 0;
  let from = chars.length;
  while (from > 0) {
    const w = charWidth(chars[from - 1]!.codePointAt(0)!);
    if (used + w > width) break;
    used += w;
    from--;
  }
  return chars.slice(from).join('');
}

/** Cuts `text` to `width` cells, with an ellipsis when it had to cut. */
export function fitCells(text: string, width: number): string {
  if (width <= 0) return '';
  if (textWidth(text) <= width) return text;
  return `${cutCells(text, width - 1)}…`;
}

/** Pads with spaces to `width` cells (never cuts). */
export function padCells(text: string, width: number): string {
  const w = textWidth(text);
  return w < width ? text + ' '.repeat(width - w) : text;
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
