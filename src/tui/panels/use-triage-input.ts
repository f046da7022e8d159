import { useInput, type Key } from 'ink';
import { keyName } from './key-name.js';
import type { Triage } from './use-triage.js';

/** Control characters that arrive inside a chunk of typed text, by key name. */
const controlNames: Record<string, string> = { '\r': 'enter', '\n': 'enter', '\t': 'tab', '\x7f': 'backspace', '\b': 'backspace' };

/**
 * Splits one input event into key presses. Keys typed quickly (or sent by tmux `send-keys`)
 * can reach Ink as one chunk ("jb"): each character is then its own key, so `j` then `b` move
 * and open the blocker form instead of being one unknown key. Named keys (arrows, Enter…) and
 * Ctrl/Alt chords are single presses already.
 */
export function keyPresses(input: string, key: Partial<Key>): Array<[name: string, input: string]> {
  const named = key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end;
  const special = named || key.return || key.escape || key.tab || key.backspace || key.delete || key.ctrl || key.meta;
  const chars = [...input];
  if (special || chars.length <= 1) return [[keyName(input, key), input]];
  return chars.map((c) => [controlNames[c] ?? (c === ' ' ? 'space' : c), c]);
}

/**
 * Feeds Ink's keyboard to the panels while `isActive` (the shell decides when the panels have
 * the keyboard; otherwise keys belong to the focused pane). A shell that reads keys itself calls
 * `triage.onKey(name, input)` for each of `keyPresses(input, key)` instead.
 */
export function useTriageInput(triage: Pick<Triage, 'onKey'>, isActive: boolean): void {
  useInput(
    (input, key) => {
      for (const [name, text] of keyPresses(input, key)) triage.onKey(name, text);
    },
    { isActive },
  );
}
