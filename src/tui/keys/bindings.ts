/**
 * THE binding table of the workstation: every key of the shell, copy mode and the panels, in
 * tmux's key notation (the names key-parser.ts gives keys: "d", "Up", "C-u", "PageUp", "BTab",
 * "Space", "Enter", "Escape", "BSpace"). The shell's `update` and the panels' `handlePanelKey`
 * look actions up here; the help overlays and the message line's hints are generated from it.
 * Change a key here and the handlers, the help and the hints all follow.
 *
 * Contexts: `prefix` keys follow the prefix key (default C-b, town config `prefixKey`);
 * `copy` keys act in copy mode; the others act while the panels have the keyboard (`panels`
 * in any panel, then the focused panel's view: board, details, inbox…). Every key that is not
 * the prefix goes to the focused pane, unchanged, while the panes have the keyboard.
 */
export type BindingContext = 'prefix' | 'copy' | 'overview' | 'panels' | 'board' | 'details' | 'inbox' | 'message' | 'lane' | 'feed' | 'form' | 'help';

/** The actions the shell carries out itself. */
export type ShellAction =
  | 'detach'
  | 'zoom'
  | 'focus-up'
  | 'focus-down'
  | 'focus-left'
  | 'focus-right'
  | 'focus-next'
  | 'focus-previous'
  | 'diff'
  | 'page-next'
  | 'page-previous'
  | 'page-number'
  | 'overview'
  | 'toggle-panels-focus'
  | 'copy-mode'
  | 'paste-buffer'
  | 'help'
  | 'redraw';

/** What a key does in copy mode (copy/copy-state.ts carries most of them out). */
export type CopyKeyAction =
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
  | 'copy-line-indentation'
  | 'copy-word-next'
  | 'copy-word-previous'
  | 'copy-word-end'
  | 'copy-space-word-next'
  | 'copy-space-word-previous'
  | 'copy-space-word-end'
  | 'copy-search-forward'
  | 'copy-search-backward'
  | 'copy-search-next'
  | 'copy-search-previous'
  | 'copy-begin-selection'
  | 'copy-line-selection'
  | 'copy-clear-selection'
  | 'copy-yank'
  | 'copy-exit';

/** What a key does in the panels (panels/handle-key.ts switches on these). */
export type PanelActionId =
  | 'layout.toggle.board'
  | 'layout.toggle.lane'
  | 'layout.toggle.inbox'
  | 'layout.toggle.feed'
  | 'layout.wider'
  | 'layout.narrower'
  | 'layout.taller'
  | 'layout.shorter'
  | 'layout.reset'
  | 'focus.next'
  | 'focus.previous'
  | 'help.toggle'
  | 'help.close'
  | 'cursor.down'
  | 'cursor.up'
  | 'cursor.pageDown'
  | 'cursor.pageUp'
  | 'cursor.top'
  | 'cursor.bottom'
  | 'board.nextGroup'
  | 'board.previousGroup'
  | 'board.open'
  | 'board.create'
  | 'board.priority.0'
  | 'board.priority.1'
  | 'board.priority.2'
  | 'board.priority.3'
  | 'board.priority.4'
  | 'board.priority.raise'
  | 'board.priority.lower'
  | 'board.blocker.add'
  | 'board.blocker.remove'
  | 'board.close'
  | 'board.release'
  | 'board.sling'
  | 'board.pour'
  | 'board.filter'
  | 'board.filter.clear'
  | 'details.back'
  | 'inbox.read'
  | 'inbox.reply'
  | 'inbox.compose'
  | 'inbox.back'
  | 'lane.open'
  | 'lane.diff'
  | 'form.submit'
  | 'form.submitNow'
  | 'form.cancel'
  | 'form.nextField'
  | 'form.previousField'
  | 'form.nextChoice'
  | 'form.previousChoice';

/** What a key does in the overview (prefix w); any other printable key types into its filter. */
export type OverviewKeyAction =
  | 'overview-up'
  | 'overview-down'
  | 'overview-page-up'
  | 'overview-page-down'
  | 'overview-top'
  | 'overview-bottom'
  | 'overview-open'
  | 'overview-diff'
  | 'overview-erase'
  | 'overview-clear'
  | 'overview-close';

export type Action = ShellAction | CopyKeyAction | OverviewKeyAction | PanelActionId;

export interface Binding {
  readonly context: BindingContext;
  /** Key names in tmux notation; several keys may do the same thing. */
  readonly keys: readonly string[];
  readonly action: Action;
  /** One line for the help overlays. */
  readonly description: string;
  /** Heading in the help overlays. */
  readonly group: string;
  /** A short word for the message line's hints ("detach", "zoom"), for the few keys it names. */
  readonly hint?: string;
  /** How the hint spells the keys, when not the first key ("arrows/o"). */
  readonly hintKeys?: string;
}

const shell = (keys: string[], action: ShellAction, description: string, group: string, hint?: string, hintKeys?: string): Binding => ({
  context: 'prefix',
  keys,
  action,
  description,
  group,
  ...(hint ? { hint } : {}),
  ...(hintKeys ? { hintKeys } : {}),
});
const copy = (keys: string[], action: CopyKeyAction, description: string, hint?: string, hintKeys?: string): Binding => ({
  context: 'copy',
  keys,
  action,
  description,
  group: 'Copy mode',
  ...(hint ? { hint } : {}),
  ...(hintKeys ? { hintKeys } : {}),
});

const overview = (keys: string[], action: OverviewKeyAction, description: string, hint?: string, hintKeys?: string): Binding => ({
  context: 'overview',
  keys,
  action,
  description,
  group: 'Overview (prefix w)',
  ...(hint ? { hint } : {}),
  ...(hintKeys ? { hintKeys } : {}),
});

/** The shell's own keys: after the prefix, in copy mode and in the overview. */
export const shellBindings: readonly Binding[] = [
  shell(['d'], 'detach', 'detach: leave the workstation, agents keep running', 'Workstation', 'detach'),
  shell(['z'], 'zoom', 'zoom the focused pane to full size, or back', 'Panes', 'zoom'),
  shell(['Up', 'k'], 'focus-up', 'focus the pane above', 'Panes'),
  shell(['Down', 'j'], 'focus-down', 'focus the pane below', 'Panes'),
  shell(['Left', 'h'], 'focus-left', 'focus the pane on the left', 'Panes'),
  shell(['Right', 'l'], 'focus-right', 'focus the pane on the right', 'Panes'),
  shell(['o'], 'focus-next', 'focus the next pane (on any page)', 'Panes', 'focus', 'arrows/o'),
  shell([';'], 'focus-previous', 'focus the previous pane (on any page)', 'Panes'),
  shell(['w'], 'overview', 'overview: every polecat as one row, those needing you first', 'Pages', 'overview'),
  shell(['D'], 'diff', 'what did it change? the focused polecat’s branch against main, in copy mode', 'Panes'),
  shell(['n'], 'page-next', 'next page of panes', 'Pages', 'page', 'n/p'),
  shell(['p'], 'page-previous', 'previous page of panes', 'Pages'),
  shell(['1', '2', '3', '4', '5', '6', '7', '8', '9'], 'page-number', 'show page 1–9', 'Pages'),
  shell(['['], 'copy-mode', 'copy mode: scroll, search and copy the pane’s scrollback', 'Panes', 'copy'),
  shell([']'], 'paste-buffer', 'paste the last copied text into the pane', 'Panes'),
  shell(['Tab'], 'toggle-panels-focus', 'move the keyboard between the panes and the panels', 'Workstation', 'panels'),
  shell(['?'], 'help', 'show this help', 'Workstation', 'help'),
  shell(['r'], 'redraw', 'redraw, and size the panes for this terminal', 'Workstation'),
  copy(['Up', 'k', 'C-p'], 'copy-up', 'cursor up', 'move', 'arrows/hjkl'),
  copy(['Down', 'j', 'C-n'], 'copy-down', 'cursor down'),
  copy(['Left', 'h'], 'copy-left', 'cursor left'),
  copy(['Right', 'l'], 'copy-right', 'cursor right'),
  copy(['PageUp', 'C-b'], 'copy-page-up', 'page up'),
  copy(['PageDown', 'C-f'], 'copy-page-down', 'page down'),
  copy(['C-u'], 'copy-half-up', 'half a page up'),
  copy(['C-d'], 'copy-half-down', 'half a page down'),
  copy(['g', 'Home'], 'copy-top', 'top of the scrollback'),
  copy(['G', 'End'], 'copy-bottom', 'bottom'),
  copy(['0'], 'copy-line-start', 'start of the line (a line the pane wrapped is one line)'),
  copy(['$'], 'copy-line-end', 'end of the line'),
  copy(['^'], 'copy-line-indentation', 'first non-blank character of the line'),
  copy(['w'], 'copy-word-next', 'next word'),
  copy(['b'], 'copy-word-previous', 'previous word'),
  copy(['e'], 'copy-word-end', 'end of the word'),
  copy(['W'], 'copy-space-word-next', 'next word, separated by blanks only'),
  copy(['B'], 'copy-space-word-previous', 'previous word, separated by blanks only'),
  copy(['E'], 'copy-space-word-end', 'end of the word, separated by blanks only'),
  copy(['Space', 'v'], 'copy-begin-selection', 'start selecting here', 'select'),
  copy(['V'], 'copy-line-selection', 'select whole lines'),
  copy(['Enter', 'y'], 'copy-yank', 'copy the selection (OSC 52 and a file) and leave', 'copy'),
  copy(['/'], 'copy-search-forward', 'search down (towards the newest output)', 'search', '/ ?'),
  copy(['?'], 'copy-search-backward', 'search up (towards older output)'),
  copy(['n'], 'copy-search-next', 'next match', 'next', 'n N'),
  copy(['N'], 'copy-search-previous', 'previous match'),
  copy(['Escape'], 'copy-clear-selection', 'clear the selection (or leave)'),
  copy(['q', 'C-c'], 'copy-exit', 'leave copy mode', 'quit'),
  overview(['Up', 'C-p', 'C-k'], 'overview-up', 'select the polecat above', 'move', '↑↓'),
  overview(['Down', 'C-n', 'C-j'], 'overview-down', 'select the polecat below'),
  overview(['PageUp', 'C-b'], 'overview-page-up', 'page up'),
  overview(['PageDown', 'C-f'], 'overview-page-down', 'page down'),
  overview(['Home'], 'overview-top', 'first polecat'),
  overview(['End'], 'overview-bottom', 'last polecat'),
  overview(['Enter'], 'overview-open', 'open the polecat’s pane, zoomed (prefix z unzooms)', 'open'),
  overview(['C-d'], 'overview-diff', 'what did it change? its branch against main (copy mode keys; q leaves)', 'diff', 'C-d'),
  overview(['BSpace'], 'overview-erase', 'erase the last letter of the filter'),
  overview(['C-u'], 'overview-clear', 'clear the filter'),
  overview(['Escape', 'C-c'], 'overview-close', 'close the overview (q too, with no filter typed); letters filter', 'close', 'Escape'),
];

/** How the panels' contexts are titled in the help. */
const panelGroups: Record<Exclude<BindingContext, 'copy' | 'overview'>, string> = {
  prefix: 'Panels',
  panels: 'Any panel',
  board: 'Board',
  details: 'Bead details',
  inbox: 'Inbox',
  message: 'Reading a message',
  lane: 'Refinery lane',
  feed: 'Activity feed',
  form: 'In a form',
  help: 'Panels help',
};

const panel = (context: Exclude<BindingContext, 'copy' | 'overview'>, keys: string[], action: PanelActionId, description: string): Binding => ({
  context,
  keys,
  action,
  description,
  group: panelGroups[context],
});

/** The moves shared by every list (board, details, inbox, lane, feed, help). */
const cursorKeys = (context: Exclude<BindingContext, 'copy' | 'overview'>): Binding[] => [
  panel(context, ['j', 'Down'], 'cursor.down', 'move down'),
  panel(context, ['k', 'Up'], 'cursor.up', 'move up'),
  panel(context, ['PageDown', 'C-d'], 'cursor.pageDown', 'page down'),
  panel(context, ['PageUp', 'C-u'], 'cursor.pageUp', 'page up'),
  panel(context, ['g', 'Home'], 'cursor.top', 'go to the top'),
  panel(context, ['G', 'End'], 'cursor.bottom', 'go to the bottom'),
];

/** Triage keys: on the board's selected bead, and on the bead shown in details. */
const triageKeys = (context: 'board' | 'details'): Binding[] => [
  panel(context, ['n'], 'board.create', 'create a bead (title, type, priority, labels, body)'),
  panel(context, ['0'], 'board.priority.0', 'set priority 0 (most urgent)'),
  panel(context, ['1'], 'board.priority.1', 'set priority 1'),
  panel(context, ['2'], 'board.priority.2', 'set priority 2'),
  panel(context, ['3'], 'board.priority.3', 'set priority 3'),
  panel(context, ['4'], 'board.priority.4', 'set priority 4 (least urgent)'),
  panel(context, ['+'], 'board.priority.raise', 'raise priority (toward 0)'),
  panel(context, ['-'], 'board.priority.lower', 'lower priority (toward 4)'),
  panel(context, ['b'], 'board.blocker.add', 'add a blocker (this bead needs another)'),
  panel(context, ['B'], 'board.blocker.remove', 'remove a blocker'),
  panel(context, ['c'], 'board.close', 'close with a reason'),
  panel(context, ['r'], 'board.release', 'release: unclaim back to the ready queue (reopen if closed)'),
  panel(context, ['s'], 'board.sling', 'sling to a polecat (choose the preset)'),
  panel(context, ['p'], 'board.pour', 'pour a molecule (choose it, fill its variables)'),
];

/** The panels' keys, in the order their help lists them. */
export const panelBindings: readonly Binding[] = [
  panel('prefix', ['B'], 'layout.toggle.board', 'show / hide the board'),
  panel('prefix', ['R'], 'layout.toggle.lane', 'show / hide the refinery lane'),
  panel('prefix', ['M'], 'layout.toggle.inbox', 'show / hide the inbox'),
  panel('prefix', ['A'], 'layout.toggle.feed', 'show / hide the activity feed'),
  panel('prefix', ['>'], 'layout.wider', 'widen the panels column'),
  panel('prefix', ['<'], 'layout.narrower', 'narrow the panels column'),
  panel('prefix', ['+'], 'layout.taller', 'make the focused panel taller'),
  panel('prefix', ['-'], 'layout.shorter', 'make the focused panel shorter'),
  panel('prefix', ['='], 'layout.reset', 'reset the layout'),

  panel('panels', ['Tab'], 'focus.next', 'focus the next panel'),
  panel('panels', ['BTab'], 'focus.previous', 'focus the previous panel'),
  panel('panels', ['?'], 'help.toggle', 'show / hide this help'),

  ...cursorKeys('board'),
  panel('board', [']'], 'board.nextGroup', 'jump to the next section'),
  panel('board', ['['], 'board.previousGroup', 'jump to the previous section'),
  panel('board', ['Enter', 'o'], 'board.open', 'open details: body, dependencies, history'),
  ...triageKeys('board'),
  panel('board', ['/'], 'board.filter', 'filter: words, label:L or #L, type:T, @assignee'),
  panel('board', ['x', 'Escape'], 'board.filter.clear', 'clear the filter (Escape without one: back to the panes)'),

  ...cursorKeys('details'),
  ...triageKeys('details'),
  panel('details', ['Escape', 'q'], 'details.back', 'back to the board'),

  ...cursorKeys('inbox'),
  panel('inbox', ['Enter'], 'inbox.read', 'read the message (marks it read)'),
  panel('inbox', ['r'], 'inbox.reply', 'reply'),
  panel('inbox', ['m'], 'inbox.compose', 'compose a new message'),
  ...cursorKeys('message'),
  panel('message', ['r'], 'inbox.reply', 'reply'),
  panel('message', ['m'], 'inbox.compose', 'compose a new message'),
  panel('message', ['Escape', 'q'], 'inbox.back', 'back to the inbox'),

  ...cursorKeys('lane'),
  panel('lane', ['Enter'], 'lane.open', 'expand / fold the merge request: title, branch, reason'),
  panel('lane', ['d'], 'lane.diff', 'what did it change? its branch against main (q leaves)'),

  ...cursorKeys('feed'),

  panel('form', ['Enter'], 'form.submit', 'next field; on the last one, submit'),
  panel('form', ['C-s'], 'form.submitNow', 'submit now, from any field'),
  panel('form', ['Escape'], 'form.cancel', 'cancel'),
  panel('form', ['Tab', 'Down'], 'form.nextField', 'next field'),
  panel('form', ['BTab', 'Up'], 'form.previousField', 'previous field'),
  panel('form', ['Right'], 'form.nextChoice', 'next choice (in a choice field)'),
  panel('form', ['Left'], 'form.previousChoice', 'previous choice (in a choice field)'),

  ...cursorKeys('help'),
  panel('help', ['Escape', 'q', '?'], 'help.close', 'close the help'),
];

/** Every binding: the shell's, then the panels'. */
export const bindings: readonly Binding[] = [...shellBindings, ...panelBindings];

/** The action bound to `key` in `context`, if any. */
export function actionFor(context: BindingContext, key: string, table: readonly Binding[] = bindings): Action | undefined {
  for (const binding of table) if (binding.context === context && binding.keys.includes(key)) return binding.action;
  return undefined;
}

/** Whether an action is the panels' (theirs are dotted: "layout.toggle.board"). */
export function isPanelAction(action: Action): action is PanelActionId {
  return action.includes('.');
}

/** Keys bound to two different actions in one context: the table must have none. */
export function bindingConflicts(table: readonly Binding[] = bindings): string[] {
  const seen = new Map<string, string>();
  const conflicts: string[] = [];
  for (const { keys, action, context } of table) {
    for (const key of keys) {
      const where = `${context} ${key}`;
      const previous = seen.get(where);
      if (previous !== undefined && previous !== action) conflicts.push(`${where}: ${previous} / ${action}`);
      else seen.set(where, action);
    }
  }
  return conflicts;
}

/** The message line's hints for a context ("d detach · z zoom · …"), from the bindings' `hint`. */
export function hints(context: BindingContext, table: readonly Binding[] = bindings): string {
  return table
    .filter((b) => b.context === context && b.hint)
    .map((b) => `${b.hintKeys ?? b.keys[0]} ${b.hint}`)
    .join(' · ');
}
