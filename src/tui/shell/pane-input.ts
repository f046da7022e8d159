import type { Key } from '../keys/key-parser.js';

/** Modes of a pane's program that change how keys are encoded (when the daemon reports them). */
export interface PaneModes {
  /** DECCKM: the program asked for application cursor keys (ESC O A instead of ESC [ A). */
  readonly applicationCursor?: boolean;
  /** The program turned on bracketed paste (mode 2004). */
  readonly bracketedPaste?: boolean;
}

const plainArrow = /^\x1b\[([ABCDHF])$/;

/**
 * The bytes a pane receives for a key: the terminal's own bytes, except where the pane's program
 * is in a mode the outer terminal is not — application cursor keys, and bracketed paste (a paste
 * arrives bracketed only if the program asked for it, as in tmux).
 */
export function encodeForPane(key: Key, modes: PaneModes | undefined): string {
  if (key.name === 'paste') {
    return modes?.bracketedPaste ? `\x1b[200~${key.raw}\x1b[201~` : key.raw;
  }
  if (modes?.applicationCursor) {
    const m = plainArrow.exec(key.raw);
    if (m) return `\x1bO${m[1]}`;
  }
  return key.raw;
}
