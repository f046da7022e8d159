import { cursorId, cursorIndex } from '../state/list-cursor.js';
import type { MergedRef } from '../live/branch-diff.js';
import { onLastField } from '../state/form-reducer.js';
import {
  addBlockerForm,
  closeBeadForm,
  composeForm,
  createBeadForm,
  filterForm,
  pourChooseForm,
  pourVarsForm,
  removeBlockerForm,
  replyForm,
  slingForm,
} from '../state/forms.js';
import { commandFromForm, type TriageCommand } from '../state/triage-command.js';
import { panelsReducer, type PanelsAction, type PanelsState } from '../state/panels-reducer.js';
import type { PanelsView } from '../state/panels-view.js';
import type { BeadView } from '../state/types.js';
import { isUnread } from '../state/town-counts.js';
import { actionFor, bindings as allBindings, isPanelAction, type Binding, type BindingContext, type PanelActionId } from '../keys/bindings.js';

/** The panels' action bound to `key` in `context` (the shell's own actions are not theirs). */
function panelActionFor(context: BindingContext, key: string, bindings: readonly Binding[]): PanelActionId | undefined {
  const action = actionFor(context, key, bindings);
  return action !== undefined && isPanelAction(action) ? action : undefined;
}

/** What a key press does: state changes to dispatch, and maybe a command for the town. */
export interface KeyOutcome {
  readonly handled: boolean;
  readonly actions: readonly PanelsAction[];
  readonly command?: TriageCommand | undefined;
  /** Show what a branch changed against main (the shell's diff view over the polecat's pane). */
  readonly diff?: { readonly polecat: string; readonly branch: string; readonly merged?: MergedRef | undefined } | undefined;
}

const ignored: KeyOutcome = { handled: false, actions: [] };
const does = (...actions: PanelsAction[]): KeyOutcome => ({ handled: true, actions });
const tell = (text: string): KeyOutcome => does({ type: 'notice', notice: { text, level: 'error' } });

/** The binding context the keys go to now: the form, the help, or the focused panel's view. */
export function keyContext(state: PanelsState): BindingContext {
  if (state.form) return 'form';
  if (state.help.open) return 'help';
  if (state.focus === 'board') return state.board.details ? 'details' : 'board';
  if (state.focus === 'inbox') return state.inbox.open ? 'message' : 'inbox';
  return state.focus;
}

/**
 * Decides what a key does while the panels have the focus (pure: the Bubble Tea "update").
 * `key` is in tmux notation (keys/key-parser.ts); `input` is the raw text, typed into forms.
 * `pageRows` is how many rows a page move skips.
 */
export function handlePanelKey(
  state: PanelsState,
  view: PanelsView,
  key: string,
  input: string,
  pageRows: number,
  bindings: readonly Binding[] = allBindings,
): KeyOutcome {
  const context = keyContext(state);
  if (context === 'form') return formKey(state, view, key, input, bindings);
  if (context === 'details' && !findBead(view, state.board.details?.id)) {
    // The bead went away under its details (deleted by another process): back to the board.
    const closed = panelsReducer(state, { type: 'closeDetails' });
    const outcome = handlePanelKey(closed, view, key, input, pageRows, bindings);
    return { ...outcome, handled: true, actions: [{ type: 'closeDetails' }, ...outcome.actions] };
  }
  const action = panelActionFor(context, key, bindings) ?? panelActionFor('panels', key, bindings);
  if (!action) return ignored;
  return perform(state, view, action, context, pageRows);
}

/** What a prefix action does (the shell delivers these by action id). */
export function handlePrefixAction(state: PanelsState, action: PanelActionId): KeyOutcome {
  switch (action) {
    case 'layout.toggle.board':
      return does({ type: 'layout', action: { type: 'toggle', panel: 'board' } });
    case 'layout.toggle.lane':
      return does({ type: 'layout', action: { type: 'toggle', panel: 'lane' } });
    case 'layout.toggle.inbox':
      return does({ type: 'layout', action: { type: 'toggle', panel: 'inbox' } });
    case 'layout.toggle.feed':
      return does({ type: 'layout', action: { type: 'toggle', panel: 'feed' } });
    case 'layout.wider':
      return does({ type: 'layout', action: { type: 'resizeColumn', by: 5 } });
    case 'layout.narrower':
      return does({ type: 'layout', action: { type: 'resizeColumn', by: -5 } });
    case 'layout.taller':
      return does({ type: 'layout', action: { type: 'resizePanel', panel: state.focus, by: 1 } });
    case 'layout.shorter':
      return does({ type: 'layout', action: { type: 'resizePanel', panel: state.focus, by: -1 } });
    case 'layout.reset':
      return does({ type: 'layout', action: { type: 'reset' } });
    case 'help.toggle':
      return does({ type: 'help', open: !state.help.open });
    default:
      return ignored;
  }
}

function cursorMove(action: PanelActionId, pageRows: number): number | 'top' | 'bottom' | undefined {
  switch (action) {
    case 'cursor.down':
      return 1;
    case 'cursor.up':
      return -1;
    case 'cursor.pageDown':
      return Math.max(1, pageRows);
    case 'cursor.pageUp':
      return -Math.max(1, pageRows);
    case 'cursor.top':
      return 'top';
    case 'cursor.bottom':
      return 'bottom';
    default:
      return undefined;
  }
}

function findBead(view: PanelsView, id: string | undefined): BeadView | undefined {
  if (id === undefined) return undefined;
  const index = view.board.order.indexOf(id);
  const row = index >= 0 ? view.board.rows[view.board.rowOf[index] ?? -1] : undefined;
  if (row?.kind === 'bead') return row.bead;
  return view.snapshot.beads.find((b) => b.id === id) ?? view.snapshot.index?.bead(id);
}

function perform(state: PanelsState, view: PanelsView, action: PanelActionId, context: BindingContext, pageRows: number): KeyOutcome {
  const move = cursorMove(action, pageRows);
  if (move !== undefined) {
    switch (context) {
      case 'help':
        return does({ type: 'helpScroll', by: move });
      case 'details':
        return does({ type: 'detailsScroll', by: move });
      case 'message':
        return does({ type: 'messageScroll', by: move });
      case 'board':
        return does({ type: 'cursor', panel: 'board', by: move, order: view.board.order });
      case 'inbox':
        return does({ type: 'cursor', panel: 'inbox', by: move, order: view.inboxOrder });
      case 'lane':
        return does({ type: 'cursor', panel: 'lane', by: move, order: view.laneOrder });
      case 'feed':
        return does({ type: 'cursor', panel: 'feed', by: move, order: view.feedOrder });
      default:
        return ignored;
    }
  }
  // The bead triage keys act on: the one in details, else the board's selection.
  const targetId = context === 'details' ? state.board.details?.id : cursorId(state.board.cursor, view.board.order);
  const target = (): BeadView | undefined => findBead(view, targetId);
  const needTarget = (f: (bead: BeadView) => KeyOutcome): KeyOutcome => {
    const bead = target();
    return bead ? f(bead) : tell('no bead selected');
  };
  const setPriority = (priority: number): KeyOutcome =>
    needTarget((bead) => (bead.priority === priority ? does() : { handled: true, actions: [], command: { kind: 'priority', id: bead.id, priority } }));

  switch (action) {
    case 'focus.next':
      return does({ type: 'focusBy', by: 1 });
    case 'focus.previous':
      return does({ type: 'focusBy', by: -1 });
    case 'help.toggle':
      return does({ type: 'help', open: !state.help.open });
    case 'help.close':
      return does({ type: 'help', open: false });
    case 'board.nextGroup':
    case 'board.previousGroup':
      return jumpGroup(state, view, action === 'board.nextGroup' ? 1 : -1);
    case 'board.open':
      return needTarget((bead) => does({ type: 'openDetails', id: bead.id }));
    case 'details.back':
      return does({ type: 'closeDetails' });
    case 'board.create':
      return does({ type: 'openForm', form: createBeadForm() });
    case 'board.priority.0':
    case 'board.priority.1':
    case 'board.priority.2':
    case 'board.priority.3':
    case 'board.priority.4':
      return setPriority(Number(action.slice(-1)));
    case 'board.priority.raise':
      return needTarget((bead) => (bead.priority <= 0 ? tell(`${bead.id} is already priority 0`) : setPriority(bead.priority - 1)));
    case 'board.priority.lower':
      return needTarget((bead) => (bead.priority >= 4 ? tell(`${bead.id} is already priority 4`) : setPriority(bead.priority + 1)));
    case 'board.blocker.add':
      return needTarget((bead) => does({ type: 'openForm', form: addBlockerForm(bead.id) }));
    case 'board.blocker.remove':
      return needTarget((bead) =>
        bead.needs?.length ? does({ type: 'openForm', form: removeBlockerForm(bead.id, bead.needs) }) : tell(`${bead.id} has no blockers`),
      );
    case 'board.close':
      return needTarget((bead) => (bead.status === 'closed' ? tell(`${bead.id} is already closed`) : does({ type: 'openForm', form: closeBeadForm(bead.id) })));
    case 'board.release':
      return needTarget((bead): KeyOutcome => {
        if (bead.status === 'closed') return { handled: true, actions: [], command: { kind: 'reopen', id: bead.id } };
        if (!bead.assignee && bead.status === 'open') return tell(`${bead.id} is not claimed`);
        return { handled: true, actions: [], command: { kind: 'release', id: bead.id } };
      });
    case 'board.sling':
      return needTarget((bead) =>
        bead.status === 'closed' ? tell(`${bead.id} is closed`) : does({ type: 'openForm', form: slingForm(bead.id, view.snapshot.presets) }),
      );
    case 'board.pour':
      return view.snapshot.molecules.length
        ? does({ type: 'openForm', form: pourChooseForm(view.snapshot.molecules) })
        : tell('no molecules in this town (molecules/ or .citadel/molecules/)');
    case 'board.filter':
      return does({ type: 'openForm', form: filterForm(state.board.filter) });
    case 'board.filter.clear':
      // Unhandled without a filter, so Esc falls through to the shell (back to the panes).
      return state.board.filter ? does({ type: 'filter', line: '' }) : ignored;
    case 'inbox.read': {
      const id = cursorId(state.inbox.cursor, view.inboxOrder);
      const mail = view.inbox[cursorIndex(state.inbox.cursor, view.inboxOrder)];
      if (id === undefined || !mail) return tell('no message selected');
      const command: TriageCommand | undefined = isUnread(mail, view.snapshot.me) ? { kind: 'markRead', id } : undefined;
      return { handled: true, actions: [{ type: 'openMessage', id }], command };
    }
    case 'inbox.reply': {
      const id = state.inbox.open?.id ?? cursorId(state.inbox.cursor, view.inboxOrder);
      const mail = view.inbox.find((m) => m.id === id);
      return mail ? does({ type: 'openForm', form: replyForm(mail) }) : tell('no message selected');
    }
    case 'inbox.compose':
      return does({ type: 'openForm', form: composeForm() });
    case 'inbox.back':
      return does({ type: 'closeMessage' });
    case 'lane.diff': {
      const id = cursorId(state.lane.cursor, view.laneOrder);
      const mr = id === undefined ? undefined : view.lane.find((m) => m.id === id);
      if (!mr) return tell('the lane is empty');
      if (!mr.branch) return tell(`${mr.id} names no branch`);
      // A merged request's branch has nothing against main any more: show what it brought to main.
      const validation = mr.refinery?.validation;
      const merged = mr.state === 'merged' ? { id: mr.id, before: validation?.main_before, sha: validation?.merged_sha ?? mr.refinery?.merged_sha } : undefined;
      return { handled: true, actions: [], diff: { polecat: mr.polecat, branch: mr.branch, ...(merged ? { merged } : {}) } };
    }
    case 'lane.open': {
      const id = cursorId(state.lane.cursor, view.laneOrder);
      return id === undefined ? tell('the lane is empty') : does({ type: 'openLane', id: state.lane.open === id ? '' : id });
    }
    default:
      return ignored;
  }
}

/** `]` / `[`: the first bead of the next / previous non-empty section. */
function jumpGroup(state: PanelsState, view: PanelsView, direction: 1 | -1): KeyOutcome {
  const { order, rows, rowOf } = view.board;
  if (!order.length) return does();
  const at = Math.max(0, cursorIndex(state.board.cursor, order));
  const groupAt = (i: number): string | undefined => {
    const row = rows[rowOf[i] ?? -1];
    return row?.kind === 'bead' ? row.group : undefined;
  };
  const current = groupAt(at);
  let i = at;
  if (direction === 1) {
    while (i < order.length && groupAt(i) === current) i++;
    if (i >= order.length) return does();
  } else {
    // Back to the start of this section, then to the start of the one before.
    while (i > 0 && groupAt(i - 1) === current) i--;
    if (i === at) {
      if (i === 0) return does();
      const previous = groupAt(i - 1);
      i--;
      while (i > 0 && groupAt(i - 1) === previous) i--;
    }
  }
  return does({ type: 'select', panel: 'board', id: order[i] ?? '', index: i });
}

function formKey(state: PanelsState, view: PanelsView, key: string, input: string, bindings: readonly Binding[]): KeyOutcome {
  const form = state.form;
  if (!form) return ignored;
  const action = panelActionFor('form', key, bindings);
  switch (action) {
    case 'form.cancel':
      return does({ type: 'closeForm' });
    case 'form.nextField':
      return does({ type: 'form', action: { type: 'field', by: 1 } });
    case 'form.previousField':
      return does({ type: 'form', action: { type: 'field', by: -1 } });
    case 'form.nextChoice':
      return does({ type: 'form', action: { type: 'choice', by: 1 } });
    case 'form.previousChoice':
      return does({ type: 'form', action: { type: 'choice', by: -1 } });
    case 'form.submit':
      if (!onLastField(form)) return does({ type: 'form', action: { type: 'field', by: 1 } });
      return submit(state, view);
    case 'form.submitNow':
      return submit(state, view);
    default:
      break;
  }
  if (key === 'BSpace') return does({ type: 'form', action: { type: 'backspace' } });
  if (key === 'C-u') return does({ type: 'form', action: { type: 'clearField' } });
  if (key === 'Space') return does({ type: 'form', action: { type: 'type', text: ' ' } });
  // A paste is text, one line of it (a form field has one).
  if (key === 'paste') return does({ type: 'form', action: { type: 'type', text: input.replace(/[\r\n]+/g, ' ') } });
  // Every other printable key is text; the form swallows the rest so nothing leaks to the board.
  if (input && !key.startsWith('C-') && !key.startsWith('M-') && key === input) return does({ type: 'form', action: { type: 'type', text: input } });
  if (input.length > 1 && !key.startsWith('C-')) return does({ type: 'form', action: { type: 'type', text: input } });
  return does();
}

function submit(state: PanelsState, view: PanelsView): KeyOutcome {
  const form = state.form;
  if (!form) return ignored;
  const outcome = commandFromForm(form);
  if ('error' in outcome) return does({ type: 'form', action: { type: 'error', message: outcome.error } });
  if ('command' in outcome) return { handled: true, actions: [{ type: 'closeForm' }], command: outcome.command };
  if (form.purpose.kind === 'filter') return does({ type: 'closeForm' }, { type: 'filter', line: form.fields[0]?.value.trim() ?? '' });
  // pourChoose: the chosen molecule's variables next, or pour it at once when it has none.
  const name = form.fields[0]?.value ?? '';
  const molecule = view.snapshot.molecules.find((m) => m.name === name);
  if (!molecule) return does({ type: 'form', action: { type: 'error', message: `no molecule named "${name}"` } });
  const vars = pourVarsForm(molecule);
  if (vars) return does({ type: 'openForm', form: vars });
  return { handled: true, actions: [{ type: 'closeForm' }], command: { kind: 'pour', molecule: molecule.name, vars: {} } };
}
