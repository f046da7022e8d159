/** The escape sequences the workstation writes, named. Positions are 0-based here, 1-based on the wire. */
export const ESC = '\x1b';
export const CSI = '\x1b[';
/** Begin / end synchronized update (DEC private mode 2026): the terminal shows the batch at once. */
export const BEGIN_SYNC = '\x1b[?2026h';
export const END_SYNC = '\x1b[?2026l';
export const SGR_RESET = '\x1b[0m';
/** Erase from the cursor to the end of the line (with the current background). */
export const ERASE_LINE_RIGHT = '\x1b[K';
export const CLEAR_SCREEN = '\x1b[2J';
export const SHOW_CURSOR = '\x1b[?25h';
export const HIDE_CURSOR = '\x1b[?25l';
export const ENTER_ALT_SCREEN = '\x1b[?1049h';
export const LEAVE_ALT_SCREEN = '\x1b[?1049l';
export const ENABLE_BRACKETED_PASTE = '\x1b[?2004h';
export const DISABLE_BRACKETED_PASTE = '\x1b[?2004l';
/** Turns autowrap off while we draw (a full last column must not scroll) and back on. */
export const AUTOWRAP_OFF = '\x1b[?7l';
export const AUTOWRAP_ON = '\x1b[?7h';
export const INVERSE = '\x1b[7m';

/** Moves the cursor to 0-based column `x`, row `y`. */
export function cursorTo(x: number, y: number): string {
  return `\x1b[${y + 1};${x + 1}H`;
}

/** OSC 52: asks the terminal (also over SSH) to put `text` on the system clipboard. */
export function osc52(text: string): string {
  return `\x1b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\x07`;
}
