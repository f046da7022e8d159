import { SGR_RESET, type ChromePalette } from '../chrome/palette.js';
import { hints } from '../keys/bindings.js';
import { stripAnsi, textWidth } from '../render/cells.js';
import { truncate } from '../chrome/title-bar.js';
import type { ShellState } from './shell-state.js';

const prefixHints = hints('prefix');
const copyHints = hints('copy');

/**
 * The message line (the screen's last row), from the state: the hints of the prefix and copy
 * mode (generated from the binding table), a search being typed, the latest message, or where
 * the keyboard is. Styled; never wider than the screen.
 */
export function messageLine(state: ShellState, p: ChromePalette): string {
  let text: string;
  const copy = state.copy;
  if (state.mode === 'prefix') {
    text = `${p.prefix} ${state.prefix} ${SGR_RESET}${p.message} ${prefixHints}${SGR_RESET}`;
  } else if (state.mode === 'copy' && copy) {
    if (copy.prompt) text = `${p.prefix} ${copy.prompt.backward ? '?' : '/'} ${SGR_RESET} ${copy.prompt.text}`;
    else if (copy.message) text = `${p.error}${copy.message}${SGR_RESET}`;
    else text = `${p.prefix} COPY ${SGR_RESET}${p.message} ${copyHints}${SGR_RESET}`;
  } else if (state.mode === 'help') {
    text = `${p.message}help: q, Escape or ? closes it${SGR_RESET}`;
  } else if (state.message) {
    text = `${state.message.kind === 'error' ? p.error : p.message}${state.message.text}${SGR_RESET}`;
  } else if (state.keyboard === 'panels') {
    text = `${p.message}keys go to the panels · ${state.prefix} Tab back to the panes${SGR_RESET}`;
  } else text = '';
  return clip(text, state.cols);
}

/** Cuts a styled line to `width` cells (the message line never wraps). */
function clip(text: string, width: number): string {
  const plain = stripAnsi(text);
  if (textWidth(plain) <= width) return text;
  return truncate(plain, width);
}
