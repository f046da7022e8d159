import { describe, expect, it } from 'vitest';
import { formReducer, formValues, makeForm } from '../../../../src/tui/state/form-reducer.js';
import { closeBeadForm, composeForm, createBeadForm, removeBlockerForm, replyForm, slingForm } from '../../../../src/tui/state/forms.js';
import {
  columnWidth,
  initialLayout,
  layoutFromJson,
  layoutReducer,
  maxWidth,
  panelHeights,
  visiblePanels,
} from '../../../../src/tui/state/layout-reducer.js';
import { cursorIndex, moveCursor, scrollTop } from '../../../../src/tui/state/list-cursor.js';
import { commandFromForm } from '../../../../src/tui/state/triage-command.js';
import { initialPanelsState, panelsReducer } from '../../../../src/tui/state/panels-reducer.js';
import { mail } from '../../../helpers/panels-fixtures.js';

describe('list cursor', () => {
  const order = ['a', 'b', 'c', 'd'];
  it('moves, clamps, and jumps to the ends', () => {
    let cursor = moveCursor({ index: 0 }, 1, order);
    expect(cursor).toEqual({ selectedId: 'b', index: 1 });
    cursor = moveCursor(cursor, 10, order);
    expect(cursor.selectedId).toBe('d');
    expect(moveCursor(cursor, -10, order).selectedId).toBe('a');
    expect(moveCursor(cursor, 'top', order).selectedId).toBe('a');
    expect(moveCursor({ index: 0 }, 'bottom', order).selectedId).toBe('d');
    expect(moveCursor({ index: 3 }, 1, [])).toEqual({ index: 0 });
  });

  it('follows its id when the list changes, and keeps its place when the id is gone', () => {
    expect(cursorIndex({ selectedId: 'c', index: 2 }, ['x', 'a', 'b', 'c'])).toBe(3);
    expect(cursorIndex({ selectedId: 'gone', index: 2 }, ['a', 'b', 'c', 'd'])).toBe(2);
    expect(cursorIndex({ selectedId: 'gone', index: 9 }, ['a', 'b'])).toBe(1);
    expect(cursorIndex({ index: 0 }, [])).toBe(-1);
  });

  it('scrolls only when the selection leaves the window', () => {
    expect(scrollTop(5, 10, 100, 0)).toBe(0);
    expect(scrollTop(10, 10, 100, 0)).toBe(1);
    expect(scrollTop(3, 10, 100, 5)).toBe(3);
    expect(scrollTop(50, 10, 100, 45)).toBe(45);
    expect(scrollTop(99, 10, 100, 0)).toBe(90);
    expect(scrollTop(3, 10, 5, 7)).toBe(0);
  });
});

describe('form reducer', () => {
  it('types, backspaces, clears, and strips control characters and newlines', () => {
    let form = makeForm({ kind: 'filter' }, 'F', [{ name: 'q', label: 'Q', value: '' }]);
    form = formReducer(form, { type: 'type', text: 'ab\x07c\nd' });
    expect(formValues(form).q).toBe('abc d');
    form = formReducer(form, { type: 'backspace' });
    expect(formValues(form).q).toBe('abc ');
    form = formReducer(form, { type: 'clearField' });
    expect(formValues(form).q).toBe('');
  });

  it('cycles choices with ←/→ and jumps to a typed prefix; fields wrap around', () => {
    let form = createBeadForm();
    form = formReducer(form, { type: 'field', by: 1 });
    expect(form.fields[form.index]?.name).toBe('type');
    form = formReducer(form, { type: 'choice', by: 1 });
    expect(formValues(form).type).toBe('bug');
    form = formReducer(form, { type: 'choice', by: -2 });
    expect(formValues(form).type).toBe('chore');
    form = formReducer(form, { type: 'type', text: 'f' });
    expect(formValues(form).type).toBe('feature');
    form = formReducer(form, { type: 'type', text: 'z' });
    expect(formValues(form).type).toBe('feature');
    form = formReducer(form, { type: 'field', by: -2 });
    expect(form.fields[form.index]?.name).toBe('body');
  });
});

describe('commands from forms', () => {
  const fill = (form: ReturnType<typeof createBeadForm>, values: Record<string, string>) => ({
    ...form,
    fields: form.fields.map((f) => (f.name in values ? { ...f, value: values[f.name]! } : f)),
  });

  it('refuses a missing required field, naming it', () => {
    expect(commandFromForm(createBeadForm())).toEqual({ error: 'Title is required' });
  });

  it('builds create, close, sling, dep and mail commands', () => {
    expect(commandFromForm(fill(createBeadForm(), { title: ' Cache it ', labels: 'perf, api  x', priority: '1' }))).toEqual({
      command: { kind: 'create', title: 'Cache it', type: 'task', priority: 1, labels: ['perf', 'api', 'x'], body: '' },
    });
    expect(commandFromForm(fill(closeBeadForm('ct-1'), { reason: 'dup' }))).toEqual({ command: { kind: 'close', id: 'ct-1', reason: 'dup' } });
    expect(commandFromForm(slingForm('ct-1', ['claude', 'shell']))).toEqual({ command: { kind: 'sling', id: 'ct-1', preset: 'claude', polecat: undefined } });
    expect(commandFromForm(fill(slingForm('ct-1', ['claude']), { polecat: 'Bad Name' }))).toEqual({ error: expect.stringContaining('polecat name') });
    expect(commandFromForm(removeBlockerForm('ct-1', ['ct-2']))).toEqual({ command: { kind: 'dep', op: 'rm', id: 'ct-1', needs: 'ct-2' } });
    const reply = replyForm(mail('ct-m', { from: 'ada', subject: 'Question' }));
    expect(reply.fields[reply.index]?.name).toBe('body');
    expect(commandFromForm(fill(reply, { body: 'yes' }))).toEqual({ command: { kind: 'mail', to: 'ada', subject: 'Re: Question', body: 'yes', replyTo: 'ct-m' } });
    expect(commandFromForm(composeForm())).toEqual({ error: 'To is required' });
  });
});

describe('layout reducer', () => {
  it('toggles, resizes within bounds, resets', () => {
    let layout = layoutReducer(initialLayout, { type: 'toggle', panel: 'lane' });
    expect(visiblePanels(layout)).toEqual(['board', 'inbox', 'feed']);
    for (let i = 0; i < 20; i++) layout = layoutReducer(layout, { type: 'resizeColumn', by: 5 });
    expect(layout.width).toBe(maxWidth);
    layout = layoutReducer(layout, { type: 'resizePanel', panel: 'lane', by: 1 });
    expect(layout.panels.lane).toEqual({ visible: true, weight: 3 });
    expect(layoutReducer(layout, { type: 'reset' })).toBe(initialLayout);
  });

  it('splits the rows among visible panels by weight, using every row', () => {
    const heights = panelHeights(initialLayout, 40);
    expect(heights.map((h) => h.panel)).toEqual(['board', 'lane', 'inbox', 'feed']);
    expect(heights.reduce((s, h) => s + h.rows, 0)).toBe(40);
    expect(heights[0]!.rows).toBe(16);
    const tight = panelHeights(initialLayout, 10);
    expect(tight.reduce((s, h) => s + h.rows, 0)).toBe(10);
    expect(panelHeights(layoutReducer(initialLayout, { type: 'toggle', panel: 'board' }), 30).map((h) => h.panel)).toEqual(['lane', 'inbox', 'feed']);
  });

  it('gives the column no width when every panel is hidden', () => {
    let layout = initialLayout;
    for (const panel of ['board', 'lane', 'inbox', 'feed'] as const) layout = layoutReducer(layout, { type: 'toggle', panel });
    expect(columnWidth(layout, 200)).toBe(0);
    expect(columnWidth(initialLayout, 200)).toBe(80); // 40%
  });

  it('reads a remembered layout leniently', () => {
    expect(layoutFromJson(null)).toBe(initialLayout);
    const read = layoutFromJson({ width: 999, panels: { board: { visible: false, weight: 0 }, lane: 'x', bogus: {} } });
    expect(read.width).toBe(maxWidth);
    expect(read.panels.board).toEqual({ visible: false, weight: 1 });
    expect(read.panels.lane).toEqual(initialLayout.panels.lane);
  });
});

describe('triage reducer', () => {
  it('moves focus among visible panels only, and off a panel that gets hidden', () => {
    let state = panelsReducer(initialPanelsState, { type: 'focusBy', by: 1 });
    expect(state.focus).toBe('lane');
    state = panelsReducer(state, { type: 'focusBy', by: -2 });
    expect(state.focus).toBe('feed');
    state = panelsReducer(state, { type: 'layout', action: { type: 'toggle', panel: 'feed' } });
    expect(state.focus).toBe('board');
  });

  it('opens and closes details, messages and forms; a new filter resets the selection', () => {
    let state = panelsReducer(initialPanelsState, { type: 'cursor', panel: 'board', by: 2, order: ['a', 'b', 'c'] });
    expect(state.board.cursor.selectedId).toBe('c');
    state = panelsReducer(state, { type: 'openDetails', id: 'c' });
    state = panelsReducer(state, { type: 'detailsScroll', by: 3 });
    expect(state.board.details).toEqual({ id: 'c', scroll: 3 });
    state = panelsReducer(state, { type: 'detailsScroll', by: -10 });
    expect(state.board.details?.scroll).toBe(0);
    state = panelsReducer(state, { type: 'closeDetails' });
    expect(state.board.details).toBeUndefined();
    state = panelsReducer(state, { type: 'filter', line: '#ui' });
    expect(state.board).toMatchObject({ filter: '#ui', cursor: { index: 0 } });
    state = panelsReducer(state, { type: 'openForm', form: closeBeadForm('c') });
    state = panelsReducer(state, { type: 'form', action: { type: 'type', text: 'x' } });
    expect(state.form && formValues(state.form).reason).toBe('x');
    state = panelsReducer(state, { type: 'closeForm' });
    expect(state.form).toBeNull();
    expect(panelsReducer(state, { type: 'form', action: { type: 'backspace' } })).toBe(state);
  });
});
