import type { ShellEffect, ShellEvent, ShellState } from '../../src/tui/shell/shell-state.js';
import { update } from '../../src/tui/shell/update.js';

/** Feeds events through the shell's pure `update` in turn: the state after them and every effect asked for. */
export function step(state: ShellState, ...events: ShellEvent[]): { state: ShellState; effects: ShellEffect[] } {
  const effects: ShellEffect[] = [];
  for (const event of events) {
    const [next, out] = update(state, event);
    state = next;
    effects.push(...out);
  }
  return { state, effects };
}
