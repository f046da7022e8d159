/**
 * Every key binding of the workstation, in one place (the help overlay is generated from here).
 *
 * Modes: `prefix` keys follow the prefix key (default C-b, town config `prefixKey`), tmux-style;
 * `copy` keys act in copy mode; `panel` keys act while the panel sidebar has the keyboard (those
 * are handled by the panels themselves and listed here for the help). Every key that is not the
 * prefix goes to the focused pane, unchanged.
 *
 * Extension point: other parts of the workstation (the panels) add their bindings with
 * {@link registerBindings} from their own module, at import time; an action that is not one of
 * the {@link CoreAction}s is delivered to the handlers registered with {@link onAction}.
 */
export type BindingMode = 'prefix' | 'copy' | 'panel';

export interface Binding {
  /** Key names in tmux notation (see key-parser.ts): "d", "Up", "C-u", "PageUp", "Space". */
  readonly keys: readonly string[];
  readonly mode: BindingMode;
  /** What the key does: a {@link CoreAction} or an action registered by an extension. */
  readonly action: string;
  /** One line for the help overlay. */
  readonly description: string;
  /** Heading in the help overlay. */
  readonly group?: string;
}

/** The actions the workstation shell itself carries out. */
export type CoreAction =
  | 'detach'
  | 'zoom'
  | 'focus-up'
  | 'focus-down'
  | 'focus-left'
  | 'focus-right'
  | 'focus-next'
  | 'focus-previous'
  | 'focus-number'
  | 'toggle-panels-focus'
  | 'copy-mode'
  | 'paste-buffer'
  | 'help'
  | 'redraw'
  | 'send-prefix'
  // copy mode
  | 'copy-up'
  | 'copy-down'
  | 'copy-left'
  | 'copy-right'
  | 'copy-page-up'
  | 'copy-page-down'
  | 'copy-half-up'
  | 'copy-half-down'
  | 'copy-top'
  | 'copy-bottom'
  | 'copy-line-start'
  | 'copy-line-end'
  | 'copy-word-next'
  | 'copy-word-previous'
  | 'copy-search-forward'
  | 'copy-search-backward'
  | 'copy-search-next'
  | 'copy-search-previous'
  | 'copy-begin-selection'
  | 'copy-line-selection'
  | 'copy-clear-selection'
  | 'copy-yank'
  | 'copy-exit';

export const coreBindings: readonly Binding[] = [
  { mode: 'prefix', keys: ['d'], action: 'detach', description: 'detach: leave the workstation, agents keep running', group: 'Workstation' },
  { mode: 'prefix', keys: ['?'], action: 'help', description: 'show this help', group: 'Workstation' },
  { mode: 'prefix', keys: ['r'], action: 'redraw', description: 'redraw the screen', group: 'Workstation' },
  { mode: 'prefix', keys: ['Tab'], action: 'toggle-panels-focus', description: 'move the keyboard between the panes and the panels', group: 'Workstation' },
  { mode: 'prefix', keys: ['z'], action: 'zoom', description: 'zoom the focused pane to full size, or back', group: 'Panes' },
  { mode: 'prefix', keys: ['Up', 'k'], action: 'focus-up', description: 'focus the pane above', group: 'Panes' },
  { mode: 'prefix', keys: ['Down', 'j'], action: 'focus-down', description: 'focus the pane below', group: 'Panes' },
  { mode: 'prefix', keys: ['Left', 'h'], action: 'focus-left', description: 'focus the pane on the left', group: 'Panes' },
  { mode: 'prefix', keys: ['Right', 'l'], action: 'focus-right', description: 'focus the pane on the right', group: 'Panes' },
  { mode: 'prefix', keys: ['o', 'n'], action: 'focus-next', description: 'focus the next pane', group: 'Panes' },
  { mode: 'prefix', keys: ['p'], action: 'focus-previous', description: 'focus the previous pane', group: 'Panes' },
  { mode: 'prefix', keys: ['1', '2', '3', '4', '5', '6', '7', '8', '9'], action: 'focus-number', description: 'focus pane 1–9', group: 'Panes' },
  { mode: 'prefix', keys: ['['], action: 'copy-mode', description: 'copy mode: scroll, search and copy the pane’s scrollback', group: 'Panes' },
  { mode: 'prefix', keys: [']'], action: 'paste-buffer', description: 'paste the last copied text into the pane', group: 'Panes' },
  { mode: 'copy', keys: ['Up', 'k', 'C-p'], action: 'copy-up', description: 'cursor up', group: 'Copy mode' },
  { mode: 'copy', keys: ['Down', 'j', 'C-n'], action: 'copy-down', description: 'cursor down', group: 'Copy mode' },
  { mode: 'copy', keys: ['Left', 'h'], action: 'copy-left', description: 'cursor left', group: 'Copy mode' },
  { mode: 'copy', keys: ['Right', 'l'], action: 'copy-right', description: 'cursor right', group: 'Copy mode' },
  { mode: 'copy', keys: ['PageUp', 'C-b'], action: 'copy-page-up', description: 'page up', group: 'Copy mode' },
  { mode: 'copy', keys: ['PageDown', 'C-f'], action: 'copy-page-down', description: 'page down', group: 'Copy mode' },
  { mode: 'copy', keys: ['C-u'], action: 'copy-half-up', description: 'half a page up', group: 'Copy mode' },
  { mode: 'copy', keys: ['C-d'], action: 'copy-half-down', description: 'half a page down', group: 'Copy mode' },
  { mode: 'copy', keys: ['g', 'Home'], action: 'copy-top', description: 'top of the scrollback', group: 'Copy mode' },
  { mode: 'copy', keys: ['G', 'End'], action: 'copy-bottom', description: 'bottom', group: 'Copy mode' },
  { mode: 'copy', keys: ['0'], action: 'copy-line-start', description: 'start of the line', group: 'Copy mode' },
  { mode: 'copy', keys: ['$'], action: 'copy-line-end', description: 'end of the line', group: 'Copy mode' },
  { mode: 'copy', keys: ['w'], action: 'copy-word-next', description: 'next word', group: 'Copy mode' },
  { mode: 'copy', keys: ['b'], action: 'copy-word-previous', description: 'previous word', group: 'Copy mode' },
  { mode: 'copy', keys: ['/'], action: 'copy-search-forward', description: 'search down (towards the newest output)', group: 'Copy mode' },
  { mode: 'copy', keys: ['?'], action: 'copy-search-backward', description: 'search up (towards older output)', group: 'Copy mode' },
  { mode: 'copy', keys: ['n'], action: 'copy-search-next', description: 'next match', group: 'Copy mode' },
  { mode: 'copy', keys: ['N'], action: 'copy-search-previous', description: 'previous match', group: 'Copy mode' },
  { mode: 'copy', keys: ['Space', 'v'], action: 'copy-begin-selection', description: 'start selecting here', group: 'Copy mode' },
  { mode: 'copy', keys: ['V'], action: 'copy-line-selection', description: 'select whole lines', group: 'Copy mode' },
  { mode: 'copy', keys: ['Escape'], action: 'copy-clear-selection', description: 'clear the selection (or leave)', group: 'Copy mode' },
  { mode: 'copy', keys: ['Enter', 'y'], action: 'copy-yank', description: 'copy the selection (OSC 52 and a file) and leave', group: 'Copy mode' },
  { mode: 'copy', keys: ['q', 'C-c'], action: 'copy-exit', description: 'leave copy mode', group: 'Copy mode' },
];

const extraBindings: Binding[] = [];
type ActionHandler = (action: string, key: string) => boolean | void;
const actionHandlers: ActionHandler[] = [];

/** Adds bindings (e.g. the panels'). Later bindings win for the same mode and key. */
export function registerBindings(bindings: readonly Binding[]): void {
  extraBindings.push(...bindings);
}

/**
 * Receives the actions of registered bindings that are not core actions. Returns a disposer.
 * A handler returns true when it handled the action.
 */
export function onAction(handler: ActionHandler): () => void {
  actionHandlers.push(handler);
  return () => {
    const i = actionHandlers.indexOf(handler);
    if (i >= 0) actionHandlers.splice(i, 1);
  };
}

/** Delivers an extension action; false when no handler took it. */
export function dispatchExtensionAction(action: string, key: string): boolean {
  let handled = false;
  for (const handler of [...actionHandlers]) if (handler(action, key) === true) handled = true;
  return handled;
}

/** Every binding: the core ones, then the registered ones. */
export function allBindings(): readonly Binding[] {
  return [...coreBindings, ...extraBindings];
}

/** The binding of `key` in `mode`, if any (the last registered wins). */
export function findBinding(mode: BindingMode, key: string, bindings: readonly Binding[] = allBindings()): Binding | undefined {
  let found: Binding | undefined;
  for (const b of bindings) if (b.mode === mode && b.keys.includes(key)) found = b;
  return found;
}

/** Whether `action` is one the shell carries out itself. */
export function isCoreAction(action: string): action is CoreAction {
  return coreBindings.some((b) => b.action === action) || action === 'send-prefix';
}
