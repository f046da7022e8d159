/**
 * Cell widths and cell-exact slicing of styled rows. Rows from the daemon are SGR-styled text of
 * exactly `cols` cells; the compositor writes them as they are, and only slices them when a
 * pane's frame and its rectangle disagree for a moment (a resize in flight) or an overlay covers
 * part of a pane.
 */

// Zero-width: combining marks, variation selectors, zero-width joiners ([from, to] code points).
const zeroWidthRanges: ReadonlyArray<readonly [number, number]> = [
  [0x0300, 0x036f], [0x0483, 0x0489], [0x0591, 0x05bd], [0x0610, 0x061a], [0x064b, 0x065f], [0x0e31, 0x0e31],
  [0x0e34, 0x0e3a], [0x0e47, 0x0e4e], [0x1ab0, 0x1aff], [0x1dc0, 0x1dff], [0x200b, 0x200f], [0x20d0, 0x20ff],
  [0xfe00, 0xfe0f], [0xfe20, 0xfe2f], [0xe0100, 0xe01ef],
];

function isZeroWidth(codePoint: number): boolean {
  return zeroWidthRanges.some(([from, to]) => codePoint >= from && codePoint <= to);
}

/** How many terminal cells one code point takes (0, 1 or 2), as xterm.js counts them. */
export function charWidth(codePoint: number): number {
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint < 0xa0)) return 0;
  if (codePoint < 0x300) return 1;
  if (isZeroWidth(codePoint)) return 0;
  if (
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x231a && codePoint <= 0x231b) ||
    (codePoint >= 0x2329 && codePoint <= 0x232a) ||
    (codePoint >= 0x23e9 && codePoint <= 0x23ec) ||
    codePoint === 0x23f0 ||
    codePoint === 0x23f3 ||
    (codePoint >= 0x25fd && codePoint <= 0x25fe) ||
    (codePoint >= 0x2614 && codePoint <= 0x2615) ||
    (codePoint >= 0x2648 && codePoint <= 0x2653) ||
    codePoint === 0x267f ||
    codePoint === 0x2693 ||
    codePoint === 0x26a1 ||
    (codePoint >= 0x26aa && codePoint <= 0x26ab) ||
    (codePoint >= 0x26bd && codePoint <= 0x26be) ||
    (codePoint >= 0x26c4 && codePoint <= 0x26c5) ||
    codePoint === 0x26ce ||
    codePoint === 0x26d4 ||
    codePoint === 0x26ea ||
    (codePoint >= 0x26f2 && codePoint <= 0x26f3) ||
    codePoint === 0x26f5 ||
    codePoint === 0x26fa ||
    codePoint === 0x26fd ||
    codePoint === 0x2705 ||
    (codePoint >= 0x270a && codePoint <= 0x270b) ||
    codePoint === 0x2728 ||
    codePoint === 0x274c ||
    codePoint === 0x274e ||
    (codePoint >= 0x2753 && codePoint <= 0x2755) ||
    codePoint === 0x2757 ||
    (codePoint >= 0x2795 && codePoint <= 0x2797) ||
    codePoint === 0x27b0 ||
    codePoint === 0x27bf ||
    (codePoint >= 0x2b1b && codePoint <= 0x2b1c) ||
    codePoint === 0x2b50 ||
    codePoint === 0x2b55 ||
    (codePoint >= 0x2e80 && codePoint <= 0x303e) ||
    (codePoint >= 0x3041 && codePoint <= 0x33ff) ||
    (codePoint >= 0x3400 && codePoint <= 0x4dbf) ||
    (codePoint >= 0x4e00 && codePoint <= 0x9fff) ||
    (codePoint >= 0xa000 && codePoint <= 0xa4cf) ||
    (codePoint >= 0xa960 && codePoint <= 0xa97f) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe10 && codePoint <= 0xfe19) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe6f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x1f004 && codePoint <= 0x1f004) ||
    codePoint === 0x1f0cf ||
    codePoint === 0x1f18e ||
    (codePoint >= 0x1f191 && codePoint <= 0x1f19a) ||
    (codePoint >= 0x1f200 && codePoint <= 0x1f251) ||
    (codePoint >= 0x1f300 && codePoint <= 0x1f64f) ||
    (codePoint >= 0x1f680 && codePoint <= 0x1f6ff) ||
    (codePoint >= 0x1f7e0 && codePoint <= 0x1f7eb) ||
    (codePoint >= 0x1f90c && codePoint <= 0x1f9ff) ||
    (codePoint >= 0x1fa70 && codePoint <= 0x1faff) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd)
  ) {
    return 2;
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
