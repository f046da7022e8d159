import type { Key } from 'ink';

/**
 * Names a key press in the bindings' notation (see bindings.ts): "j", "G", "enter", "S-tab",
 * "C-d", "M-x", "pgdn"… Ink reports the Backspace key as `delete` on most terminals; both
 * are "backspace" here.
 */
export function keyName(input: string, key: Partial<Key>): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pgup';
  if (key.pageDown) return 'pgdn';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'esc';
  if (key.tab) return key.shift ? 'S-tab' : 'tab';
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl && input.length === 1) return `C-${input.toLowerCase()}`;
  if (key.meta && input.length === 1) return `M-${input}`;
  if (input === ' ') return 'space';
  return input;
}
