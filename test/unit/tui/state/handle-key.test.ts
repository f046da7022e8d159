import { describe, expect, it } from 'vitest';
import { actionFor, bindingConflicts, bindings, hints } from '../../../../src/tui/keys/bindings.js';
import { handlePanelKey, handlePrefixAction, keyContext } from '../../../../src/tui/panels/handle-key.js';
import { initialPanelsState, panelsReducer, type PanelsState } from '../../../../src/tui/state/panels-reducer.js';
import { deriveView } from '../../../../src/tui/state/panels-view.js';
import { smallTown } from '../../../helpers/panels-fixtures.js';

const view = deriveView(smallTown(), '');
const apply = (state: PanelsState, key: string, input = key.length === 1 ? key : '') => {
  const outcome = handlePanelKey(state, view, key, input, 5);
  return { state: outcome.actions.reduce(panelsReducer, state), outcome };
};

describe('panel keys', () => {
  it('has no key bound twice in one context, in the one table of the shell and the panels', () => {
    expect(bindingConflicts(bindings)).toEqual([]);
    // One notation: tmux's key names only (no "esc", "enter", "pgdn"…).
    for (const b of bindings) for (const key of b.keys) expect(key).toMatch(/^(?:[^a-z].*|[a-z]|C-[a-z]|M-.)$|^(?:Up|Down|Left|Right|PageUp|PageDown|Home|End|Enter|Escape|Tab|BTab|Space|BSpace)$/);
  });

  it('generates the message line hints from the bindings', () => {
    expect(hints('prefix')).toBe('d detach · z zoom · arrows/o focus · w overview · n/p page · [ copy · Tab panels · ? help');
    expect(hints('copy')).toBe('arrows/hjkl move · Space select · Enter copy · / ? search · n N next · q quit');
  });

  it('jumps between board sections with ] and [', () => {
    let { state } = apply(initialPanelsState, ']');
    expect(state.board.cursor.selectedId).toBe('ct-b1');
    ({ state } = apply(state, ']'));
    expect(state.board.cursor.selectedId).toBe('ct-c1');
    ({ state } = apply(state, '['));
    expect(state.board.cursor.selectedId).toBe('ct-b1');
    ({ state } = apply(state, '['));
    expect(state.board.cursor.selectedId).toBe('ct-a1');
  });

  it('raises and lowers priority relative to the bead, refusing past the ends', () => {
    expect(apply(initialPanelsState, '+').outcome.command).toEqual({ kind: 'priority', id: 'ct-a1', priority: 0 });
    expect(apply(initialPanelsState, '-').outcome.command).toEqual({ kind: 'priority', id: 'ct-a1', priority: 2 });
    expect(apply(initialPanelsState, '1').outcome.command).toBeUndefined(); // already P1
    expect(apply(initialPanelsState, 'r').state.notice?.text).toBe('ct-a1 is not claimed');
    const working = panelsReducer(initialPanelsState, { type: 'select', panel: 'board', id: 'ct-b1', index: 2 });
    expect(apply(working, 'r').outcome.command).toEqual({ kind: 'release', id: 'ct-b1' });
    const closed = panelsReducer(initialPanelsState, { type: 'select', panel: 'board', id: 'ct-d1', index: 4 });
    expect(apply(closed, 'r').outcome.command).toEqual({ kind: 'reopen', id: 'ct-d1' });
    const removed = apply(initialPanelsState, 'B');
    expect(removed.state.notice?.text).toBe('ct-a1 has no blockers');
  });

  it('reads a message: opens it and marks it read only when unread', () => {
    const inbox = panelsReducer(initialPanelsState, { type: 'focus', panel: 'inbox' });
    const first = apply(inbox, 'Enter', '\r');
    expect(first.state.inbox.open?.id).toBe('ct-m1');
    expect(first.outcome.command).toEqual({ kind: 'markRead', id: 'ct-m1' });
    expect(keyContext(first.state)).toBe('message');
    const back = apply(first.state, 'Escape', '\x1b');
    expect(back.state.inbox.open).toBeUndefined();
    const second = apply(apply(back.state, 'j').state, 'Enter', '\r');
    expect(second.state.inbox.open?.id).toBe('ct-m2');
    expect(second.outcome.command).toBeUndefined();
    const reply = apply(second.state, 'r');
    expect(reply.state.form?.purpose).toEqual({ kind: 'reply', replyTo: 'ct-m2' });
  });

  it('leaves the details of a bead that went away, acting on the board instead', () => {
    const gone = panelsReducer(initialPanelsState, { type: 'openDetails', id: 'ct-deleted' });
    const { state } = apply(gone, 'j');
    expect(state.board.details).toBeUndefined();
    expect(state.board.cursor.selectedId).toBe('ct-a2');
  });

  it('lets a form take every printable key, so board keys do not leak', () => {
    const { state } = apply(initialPanelsState, 'c');
    expect(keyContext(state)).toBe('form');
    const typed = apply(state, 'j');
    expect(typed.state.board.cursor.index).toBe(0);
    expect(typed.state.form?.fields[0]?.value).toBe('j');
    expect(apply(typed.state, 'Escape', '\x1b').state.form).toBeNull();
  });

  it('moves focus with tab and toggles help with ?', () => {
    expect(apply(initialPanelsState, 'Tab', '\t').state.focus).toBe('lane');
    const help = apply(initialPanelsState, '?').state;
    expect(keyContext(help)).toBe('help');
    expect(apply(help, 'Escape', '\x1b').state.help.open).toBe(false);
  });

  it('answers prefix keys for the layout and ignores the others', () => {
    const hidden = handlePrefixAction(initialPanelsState, 'layout.toggle.board').actions.reduce(panelsReducer, initialPanelsState);
    expect(hidden.layout.panels.board.visible).toBe(false);
    expect(hidden.focus).toBe('lane');
    expect(handlePrefixAction(initialPanelsState, 'cursor.down').handled).toBe(false);
  });

  it('types a paste into a form field as one line', () => {
    const { state } = apply(initialPanelsState, 'c');
    expect(apply(state, 'paste', 'two\nlines').state.form?.fields[0]?.value).toBe('two lines');
    expect(apply(state, 'Space', ' ').state.form?.fields[0]?.value).toBe(' ');
  });

  it('leaves the shell its own prefix keys', () => {
    expect(actionFor('prefix', 'd')).toBe('detach');
    expect(actionFor('prefix', 'B')).toBe('layout.toggle.board');
    expect(actionFor('prefix', 'z')).toBe('zoom');
  });
});
