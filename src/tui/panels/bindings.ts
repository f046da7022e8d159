/**
 * The panels' key bindings, as data: the shell's binding file merges them with its own, the
 * key handlers look actions up here, and the help overlay (`?`) is generated from it. Change a
 * key here and the handlers, the help and docs/workstation.md's table all follow.
 *
 * Keys use one notation: a printable character as itself ("j", "G", "?", "+"), named keys
 * ("up", "down", "left", "right", "pgup", "pgdn", "home", "end", "enter", "esc", "tab",
 * "S-tab", "backspace", "space"), and Ctrl/Alt as "C-x" / "M-x" (tmux's spelling).
 */

/** Where a binding applies. `panels` means whenever any panel has the focus; `prefix`, after the prefix key. */
export type BindingContext = 'prefix' | 'panels' | 'board' | 'details' | 'inbox' | 'message' | 'lane' | 'feed' | 'form' | 'help';

/** What a key does; the handlers switch on these ids. */
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
  | 'focus.panels'
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
  | 'form.submit'
  | 'form.submitNow'
  | 'form.cancel'
  | 'form.nextField'
  | 'form.previousField'
  | 'form.nextChoice'
  | 'form.previousChoice';

/** One binding: a key, in a context, doing an action, described for the help overlay. */
export interface Binding {
  readonly key: string;
  readonly action: PanelActionId;
  readonly description: string;
  readonly context: BindingContext;
}

const b = (context: BindingContext, key: string, action: PanelActionId, description: string): Binding => ({ key, action, description, context });

/** The moves shared by every list (board, details, inbox, lane, feed, help). */
const cursorKeys = (context: BindingContext): Binding[] => [
  b(context, 'j', 'cursor.down', 'move down'),
  b(context, 'down', 'cursor.down', 'move down'),
  b(context, 'k', 'cursor.up', 'move up'),
  b(context, 'up', 'cursor.up', 'move up'),
  b(context, 'pgdn', 'cursor.pageDown', 'page down'),
  b(context, 'C-d', 'cursor.pageDown', 'page down'),
  b(context, 'pgup', 'cursor.pageUp', 'page up'),
  b(context, 'C-u', 'cursor.pageUp', 'page up'),
  b(context, 'g', 'cursor.top', 'go to the top'),
  b(context, 'home', 'cursor.top', 'go to the top'),
  b(context, 'G', 'cursor.bottom', 'go to the bottom'),
  b(context, 'end', 'cursor.bottom', 'go to the bottom'),
];

/** Triage keys: on the board's selected bead, and on the bead shown in details. */
const triageKeys = (context: BindingContext): Binding[] => [
  b(context, 'n', 'board.create', 'create a bead (title, type, priority, labels, body)'),
  b(context, '0', 'board.priority.0', 'set priority 0 (most urgent)'),
  b(context, '1', 'board.priority.1', 'set priority 1'),
  b(context, '2', 'board.priority.2', 'set priority 2'),
  b(context, '3', 'board.priority.3', 'set priority 3'),
  b(context, '4', 'board.priority.4', 'set priority 4 (least urgent)'),
  b(context, '+', 'board.priority.raise', 'raise priority (toward 0)'),
  b(context, '-', 'board.priority.lower', 'lower priority (toward 4)'),
  b(context, 'b', 'board.blocker.add', 'add a blocker (this bead needs another)'),
  b(context, 'B', 'board.blocker.remove', 'remove a blocker'),
  b(context, 'c', 'board.close', 'close with a reason'),
  b(context, 'r', 'board.release', 'release: unclaim back to the ready queue (reopen if closed)'),
  b(context, 's', 'board.sling', 'sling to a polecat (choose the preset)'),
  b(context, 'p', 'board.pour', 'pour a molecule (choose it, fill its variables)'),
];

/** Every binding of the panels, in the order the help overlay lists them. */
export const panelBindings: readonly Binding[] = [
  b('prefix', 'B', 'layout.toggle.board', 'show / hide the board'),
  b('prefix', 'R', 'layout.toggle.lane', 'show / hide the refinery lane'),
  b('prefix', 'M', 'layout.toggle.inbox', 'show / hide the inbox'),
  b('prefix', 'A', 'layout.toggle.feed', 'show / hide the activity feed'),
  b('prefix', '>', 'layout.wider', 'widen the panels column'),
  b('prefix', '<', 'layout.narrower', 'narrow the panels column'),
  b('prefix', '+', 'layout.taller', 'make the focused panel taller'),
  b('prefix', '-', 'layout.shorter', 'make the focused panel shorter'),
  b('prefix', '=', 'layout.reset', 'reset the layout'),
  b('prefix', '?', 'help.toggle', 'show / hide this help'),

  b('panels', 'tab', 'focus.next', 'focus the next panel'),
  b('panels', 'S-tab', 'focus.previous', 'focus the previous panel'),
  b('panels', '?', 'help.toggle', 'show / hide this help'),

  ...cursorKeys('board'),
  b('board', ']', 'board.nextGroup', 'jump to the next section'),
  b('board', '[', 'board.previousGroup', 'jump to the previous section'),
  b('board', 'enter', 'board.open', 'open details: body, dependencies, history'),
  b('board', 'o', 'board.open', 'open details'),
  ...triageKeys('board'),
  b('board', '/', 'board.filter', 'filter: words, label:L or #L, type:T, @assignee'),
  b('board', 'x', 'board.filter.clear', 'clear the filter'),
  b('board', 'esc', 'board.filter.clear', 'clear the filter (without one: back to the panes)'),

  ...cursorKeys('details'),
  ...triageKeys('details'),
  b('details', 'esc', 'details.back', 'back to the board'),
  b('details', 'q', 'details.back', 'back to the board'),

  ...cursorKeys('inbox'),
  b('inbox', 'enter', 'inbox.read', 'read the message (marks it read)'),
  b('inbox', 'r', 'inbox.reply', 'reply'),
  b('inbox', 'm', 'inbox.compose', 'compose a new message'),
  ...cursorKeys('message'),
  b('message', 'r', 'inbox.reply', 'reply'),
  b('message', 'm', 'inbox.compose', 'compose a new message'),
  b('message', 'esc', 'inbox.back', 'back to the inbox'),
  b('message', 'q', 'inbox.back', 'back to the inbox'),

  ...cursorKeys('lane'),
  b('lane', 'enter', 'lane.open', 'expand / fold the merge request: title, branch, reason'),

  ...cursorKeys('feed'),

  b('form', 'enter', 'form.submit', 'next field; on the last one, submit'),
  b('form', 'C-s', 'form.submitNow', 'submit now, from any field'),
  b('form', 'esc', 'form.cancel', 'cancel'),
  b('form', 'tab', 'form.nextField', 'next field'),
  b('form', 'down', 'form.nextField', 'next field'),
  b('form', 'S-tab', 'form.previousField', 'previous field'),
  b('form', 'up', 'form.previousField', 'previous field'),
  b('form', 'right', 'form.nextChoice', 'next choice (in a choice field)'),
  b('form', 'left', 'form.previousChoice', 'previous choice (in a choice field)'),

  ...cursorKeys('help'),
  b('help', 'esc', 'help.close', 'close the help'),
  b('help', 'q', 'help.close', 'close the help'),
  b('help', '?', 'help.close', 'close the help'),
];

/** The action bound to `key` in `context`, looked up in `bindings` (the panels' own by default). */
export function actionFor(context: BindingContext, key: string, bindings: readonly Binding[] = panelBindings): PanelActionId | undefined {
  for (const binding of bindings) {
    if (binding.context === context && binding.key === key) return binding.action;
  }
  return undefined;
}

/** Bindings that give one key two different actions in one context: a merged binding file must have none. */
export function bindingConflicts(bindings: readonly { key: string; action: string; context: string }[]): string[] {
  const seen = new Map<string, string>();
  const conflicts: string[] = [];
  for (const { key, action, context } of bindings) {
    const where = `${context} ${key}`;
    const previous = seen.get(where);
    if (previous !== undefined && previous !== action) conflicts.push(`${where}: ${previous} / ${action}`);
    else seen.set(where, action);
  }
  return conflicts;
}
