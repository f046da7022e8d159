import { describe, expect, it } from 'vitest';
import { copyReducer, enterCopyMode, isSelected, selectedText, type CopyAction, type CopyState } from '../../../src/tui/copy/copy-state.js';
import { renderCopyView } from '../../../src/tui/copy/copy-view.js';
import { stripAnsi } from '../../../src/tui/render/cells.js';

const lines = Array.from({ length: 100 }, (_, i) => `line ${i} alpha${i % 10 === 0 ? ' NEEDLE' : ''}`);
const run = (state: CopyState, ...actions: CopyAction[]): CopyState => actions.reduce(copyReducer, state);

describe('copy mode', () => {
  it('starts at the bottom with the cursor where the pane’s cursor is', () => {
    const state = enterCopyMode(lines, 30, 10, { x: 3, y: 4 });
    expect(state.top).toBe(90);
    expect(state.cursor).toEqual({ line: 94, col: 3 });
  });

  it('scrolls with the cursor and pages, never past either end', () => {
    let state = enterCopyMode(lines, 30, 10);
    state = run(state, { type: 'page', pages: -1 });
    expect(state.top).toBe(80);
    state = run(state, { type: 'top' });
    expect(state).toMatchObject({ top: 0, cursor: { line: 0, col: 0 } });
    state = run(state, { type: 'move', lines: -5 });
    expect(state.cursor.line).toBe(0);
    state = run(state, { type: 'bottom' }, { type: 'page', pages: 1 });
    expect(state.top).toBe(90);
    expect(state.cursor.line).toBe(99);
  });

  it('searches up and down with smart case, wrapping around, and says when nothing matches', () => {
    let state = enterCopyMode(lines, 30, 10);
    state = run(state, { type: 'prompt', backward: true }, { type: 'prompt-input', text: 'needle' }, { type: 'prompt-submit' });
    expect(state.cursor.line).toBe(90);
    state = run(state, { type: 'search-again', reverse: false });
    expect(state.cursor.line).toBe(80);
    state = run(state, { type: 'search-again', reverse: true });
    expect(state.cursor.line).toBe(90);
    state = run(state, { type: 'prompt', backward: false }, { type: 'prompt-input', text: 'Needle' }, { type: 'prompt-submit' });
    expect(state.message).toBe('not found: Needle');
  });

  it('selects characters or whole lines and yields the text', () => {
    let state = enterCopyMode(['hello world', 'second line', 'third'], 20, 3, { x: 6, y: 0 });
    state = run(state, { type: 'begin-selection', lineMode: false }, { type: 'move', lines: 1, cols: -1 });
    expect(selectedText(state)).toBe('world\nsecond');
    expect(isSelected(state, 0, 5)).toBe(false);
    expect(isSelected(state, 0, 6)).toBe(true);
    state = run(state, { type: 'begin-selection', lineMode: true }, { type: 'move', lines: 1 });
    expect(selectedText(state)).toBe('second line\nthird');
  });

  it('moves by words across lines', () => {
    let state = enterCopyMode(['foo bar', 'baz'], 20, 2, { x: 0, y: 0 });
    state = run(state, { type: 'word', forward: true });
    expect(state.cursor).toEqual({ line: 0, col: 4 });
    state = run(state, { type: 'word', forward: true });
    expect(state.cursor).toEqual({ line: 1, col: 0 });
    state = run(state, { type: 'word', forward: false });
    expect(state.cursor).toEqual({ line: 0, col: 4 });
  });

  it('draws the view with the position indicator and the selection', () => {
    let state = enterCopyMode(lines, 30, 10);
    state = run(state, { type: 'begin-selection', lineMode: true });
    const view = renderCopyView(state);
    expect(view.lines).toHaveLength(10);
    expect(stripAnsi(view.lines[0]!)).toMatch(/^line 90 alpha NEEDLE\s+\[91\/100\] $/);
    for (const line of view.lines) expect([...stripAnsi(line)].length).toBe(30);
    expect(view.lines[9]).toContain('\x1b[7m');
  });

  describe('a long line the pane wrapped', () => {
    // A 10-column pane: "echo one two three" wrapped after "echo one t" (a space inside the row
    // at the wrap point's far side: "foo bar" + space + "baz" wraps with its space kept), then a
    // real newline before "next".
    const wrappedLines = ['echo one t', 'wo three', 'foo bar ', 'baz', 'next'];
    const flags = [false, true, false, true, false];
    const enter = (): CopyState => enterCopyMode(wrappedLines, 10, 5, { x: 5, y: 0 }, flags);

    it('yanks a selection across the wrap as one line', () => {
      const state = run(enter(), { type: 'begin-selection', lineMode: false }, { type: 'move', lines: 1, cols: -3 });
      expect(selectedText(state)).toBe('one two');
      // A row the next continues keeps its trailing space: it is inside the line.
      const spaced = run(enterCopyMode(wrappedLines, 10, 5, { x: 4, y: 2 }, flags), { type: 'begin-selection', lineMode: false }, { type: 'move', lines: 1, cols: -2 });
      expect(selectedText(spaced)).toBe('bar baz');
    });

    it('keeps a real newline as a newline', () => {
      const state = run(enterCopyMode(wrappedLines, 10, 5, { x: 0, y: 1 }, flags), { type: 'begin-selection', lineMode: true }, { type: 'move', lines: 2 });
      expect(selectedText(state)).toBe('wo three\nfoo bar baz');
      const across = run(enterCopyMode(wrappedLines, 10, 5, { x: 0, y: 3 }, flags), { type: 'begin-selection', lineMode: false }, { type: 'move', lines: 1, cols: 3 });
      expect(selectedText(across)).toBe('baz\nnext');
      // Without flags (an older daemon), every row is its own line, as before.
      const old = run(enterCopyMode(wrappedLines, 10, 5, { x: 5, y: 0 }), { type: 'begin-selection', lineMode: false }, { type: 'move', lines: 1, cols: -3 });
      expect(selectedText(old)).toBe('one t\nwo');
    });

    it('finds a match that crosses the wrap, and highlights both halves', () => {
      let state = run(enterCopyMode(wrappedLines, 10, 5, { x: 0, y: 4 }, flags), { type: 'prompt', backward: true }, { type: 'prompt-input', text: 'two' }, { type: 'prompt-submit' });
      expect(state.cursor).toEqual({ line: 0, col: 9 });
      state = run(state, { type: 'prompt', backward: false }, { type: 'prompt-input', text: 'bar baz' }, { type: 'prompt-submit' });
      expect(state.cursor).toEqual({ line: 2, col: 4 });
      state = run(state, { type: 'search-again', reverse: false });
      expect(state.cursor).toEqual({ line: 2, col: 4 });
      // (A view wider than the rows, so the position indicator leaves row 0's end visible.)
      const view = renderCopyView(run(enterCopyMode(wrappedLines, 20, 5, { x: 0, y: 4 }, flags), { type: 'prompt', backward: true }, { type: 'prompt-input', text: 'two' }, { type: 'prompt-submit' }));
      const highlighted = (row: string): string[] => [...row.matchAll(/\x1b\[30;43m([^\x1b]*)/g)].map((m) => m[1]!);
      expect(highlighted(view.lines[0]!)).toContain('t');
      expect(highlighted(view.lines[1]!)[0]).toBe('wo');
      // Without flags the split word is not found.
      const old = run(enterCopyMode(wrappedLines, 10, 5), { type: 'prompt', backward: false }, { type: 'prompt-input', text: 'two' }, { type: 'prompt-submit' });
      expect(old.message).toBe('not found: two');
    });
  });
});
