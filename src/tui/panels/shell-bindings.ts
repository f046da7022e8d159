import { panelBindings, type Binding as PanelBinding, type PanelActionId } from './bindings.js';
import type { Binding as ShellBinding } from '../keys/bindings.js';

/** The shell's key names (tmux notation, src/tui/keys/key-parser.ts) for the panels' named keys. */
const tmuxNames: Record<string, string> = {
  up: 'Up',
  down: 'Down',
  left: 'Left',
  right: 'Right',
  pgup: 'PageUp',
  pgdn: 'PageDown',
  home: 'Home',
  end: 'End',
  enter: 'Enter',
  esc: 'Escape',
  tab: 'Tab',
  'S-tab': 'BTab',
  space: 'Space',
  backspace: 'BSpace',
};

/** A panels key in the shell's notation. */
export function tmuxKey(key: string): string {
  return tmuxNames[key] ?? key;
}

const groupOf: Record<string, string> = {
  prefix: 'Panels',
  panels: 'Panels',
  board: 'Board',
  details: 'Bead details',
  inbox: 'Inbox',
  message: 'Reading a message',
  lane: 'Refinery lane',
  feed: 'Activity feed',
  form: 'Forms',
  help: 'Panels help',
};

/** The help groups the panels' bindings are filed under. */
export const panelGroups: ReadonlySet<string> = new Set(Object.values(groupOf));

/** The prefix of the panels' actions in the shell's action space (so they never collide with core actions). */
export const actionPrefix = 'panels:';

/**
 * The panels' bindings in the shell's binding shape: keys of one action in one context merged,
 * `prefix` bindings as prefix mode (delivered back as `panels:<action>`), every other context as
 * `panel` mode (listed for the help; the panels read those keys themselves). The shell's `?`
 * already shows help after the prefix, so the panels' own prefix `?` is left out.
 */
export function shellBindings(bindings: readonly PanelBinding[] = panelBindings): ShellBinding[] {
  const merged = new Map<string, ShellBinding & { keys: string[] }>();
  for (const binding of bindings) {
    if (binding.context === 'prefix' && binding.key === '?') continue;
    const id = `${binding.context}\0${binding.action}`;
    const existing = merged.get(id);
    if (existing) {
      existing.keys.push(tmuxKey(binding.key));
      continue;
    }
    merged.set(id, {
      keys: [tmuxKey(binding.key)],
      mode: binding.context === 'prefix' ? 'prefix' : 'panel',
      action: binding.context === 'prefix' ? `${actionPrefix}${binding.action}` : binding.action,
      description: binding.description,
      group: groupOf[binding.context] ?? 'Panels',
    });
  }
  return [...merged.values()];
}

/** The panels' action id inside a shell action, if it is one of theirs. */
export function panelAction(shellAction: string): PanelActionId | undefined {
  return shellAction.startsWith(actionPrefix) ? (shellAction.slice(actionPrefix.length) as PanelActionId) : undefined;
}
