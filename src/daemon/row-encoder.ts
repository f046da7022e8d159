import type { IBufferCell, IBufferLine } from '@xterm/headless';

const RESET = '\x1b[0m';

/**
 * Renders one buffer line as text with SGR sequences, exactly `cols` cells wide: it starts and
 * ends with a reset, so a client writes it after a cursor move and nothing else (the row frame
 * contract in protocol.ts). A wide character takes two cells; its continuation cell emits
 * nothing. A missing line (beyond the buffer) renders as blanks.
 */
export function encodeRow(line: IBufferLine | undefined, cols: number, scratch?: IBufferCell): string {
  if (!line) return RESET + ' '.repeat(cols) + RESET;
  let out = RESET;
  let style = '';
  let cell = scratch;
  for (let x = 0; x < cols; x++) {
    cell = line.getCell(x, cell);
    if (!cell) {
      // Past the line's end (after a resize): blank, default style.
      if (style !== '') {
        out += RESET;
        style = '';
      }
      out += ' ';
      continue;
    }
    const width = cell.getWidth();
    if (width === 0) continue;
    const next = sgrOf(cell);
    if (next !== style) {
      out += next === '' ? RESET : `\x1b[0;${next}m`;
      style = next;
    }
    if (width === 2 && x === cols - 1) {
      // A wide character cannot straddle the edge: one blank keeps the row `cols` cells wide.
      out += ' ';
      continue;
    }
    out += cell.getChars() || ' ';
    if (width === 2) x++;
  }
  return out + RESET;
}

/** A line's characters only (no styles), trailing blanks kept or trimmed. */
export function plainRow(line: IBufferLine | undefined, trimRight = true): string {
  return line ? line.translateToString(trimRight) : '';
}

/** The SGR parameters of a cell's style, '' for the default style. */
export function sgrOf(cell: IBufferCell): string {
  if (cell.isAttributeDefault()) return '';
  const parts: string[] = [];
  if (cell.isBold()) parts.push('1');
  if (cell.isDim()) parts.push('2');
  if (cell.isItalic()) parts.push('3');
  if (cell.isUnderline()) parts.push('4');
  if (cell.isBlink()) parts.push('5');
  if (cell.isInverse()) parts.push('7');
  if (cell.isInvisible()) parts.push('8');
  if (cell.isStrikethrough()) parts.push('9');
  if (cell.isOverline()) parts.push('53');
  if (cell.isFgPalette()) parts.push(paletteSgr(cell.getFgColor(), 30, 90, 38));
  else if (cell.isFgRGB()) parts.push(rgbSgr(cell.getFgColor(), 38));
  if (cell.isBgPalette()) parts.push(paletteSgr(cell.getBgColor(), 40, 100, 48));
  else if (cell.isBgRGB()) parts.push(rgbSgr(cell.getBgColor(), 48));
  return parts.join(';');
}

function paletteSgr(color: number, base: number, brightBase: number, extended: number): string {
  if (color < 8) return String(base + color);
  if (color < 16) return String(brightBase + color - 8);
  return `${extended};5;${color}`;
}

function rgbSgr(color: number, extended: number): string {
  return `${extended};2;${(color >> 16) & 0xff};${(color >> 8) & 0xff};${color & 0xff}`;
}
