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

  it('moves by vi words: separators are words of their own, W/B/E only split at blanks', () => {
    const at = (col: number): CopyState => enterCopyMode(['a.b-c  d_e', 'x'], 20, 2, { x: col, y: 0 });
    expect(run(at(0), { type: 'word', forward: true }).cursor).toEqual({ line: 0, col: 1 });
    expect(run(at(0), { type: 'word', forward: true, spaces: true }).cursor).toEqual({ line: 0, col: 7 });
    expect(run(at(7), { type: 'word-end' }).cursor).toEqual({ line: 0, col: 9 });
    expect(run(at(7), { type: 'word', forward: false }).cursor).toEqual({ line: 0, col: 4 });
    expect(run(at(7), { type: 'word', forward: false, spaces: true }).cursor).toEqual({ line: 0, col: 0 });
    expect(run(at(0), { type: 'word-end', spaces: true }).cursor).toEqual({ line: 0, col: 4 });
  });

  it('moves without failing over an empty buffer, blank lines and surrogate pairs', () => {
    const all: CopyAction[] = [
      { type: 'word', forward: true },
      { type: 'word', forward: false },
      { type: 'word-end' },
      { type: 'line-end' },
      { type: 'line-start' },
      { type: 'indentation' },
      { type: 'word', forward: true, spaces: true },
    ];
    for (const lines of [[], [''], ['', '', ''], ['   ', '  '], ['😀😀 a😀b']]) {
      let state = enterCopyMode(lines, 10, 3, { x: 0, y: 0 }, lines.map((_, i) => i === 1));
      for (const action of [...all, ...all]) {
        state = copyReducer(state, action);
        expect(state.cursor.line).toBeGreaterThanOrEqual(0);
        expect(state.cursor.col).toBeGreaterThanOrEqual(0);
      }
    }
    // A pair is one character: w from the first emoji lands on the next word, not inside a pair.
    expect(run(enterCopyMode(['😀😀 a😀b'], 20, 1, { x: 0, y: 0 }), { type: 'word', forward: true }).cursor).toEqual({ line: 0, col: 5 });
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
      // V on a row a wrap continued takes its whole logical line, as tmux's select-line.
      expect(selectedText(state)).toBe('echo one two three\nfoo bar baz');
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

  describe('motions over a long line the pane wrapped, as tmux 3.3 moves', () => {
    // What tmux shows in a 10-column pane for: echo one two three / foo bar baz qux /
    //   indented wrap here (three lines, each wrapped once). The expected points were read from
    // tmux itself (copy mode, vi keys, #{copy_cursor_x},#{copy_cursor_y}).
    const rows = ['echo one t', 'wo three', 'foo bar ba', 'z qux', '  indented', ' wrap here'];
    const flags = [false, true, false, true, false, true];
    const at = (x: number, y: number, wrapped: boolean[] | undefined = flags): CopyState => enterCopyMode(rows, 10, 6, { x, y }, wrapped);
    const walk = (state: CopyState, action: CopyAction, times: number): Array<[number, number]> => {
      const out: Array<[number, number]> = [];
      for (let i = 0; i < times; i++) {
        state = copyReducer(state, action);
        out.push([state.cursor.col, state.cursor.line]);
      }
      return out;
    };

    it('w, e and b go on across the wrap (a word split by it is one word), not across a newline', () => {
      expect(walk(at(0, 0), { type: 'word', forward: true }, 4)).toEqual([[5, 0], [9, 0], [3, 1], [0, 2]]);
      expect(walk(at(0, 0), { type: 'word-end' }, 3)).toEqual([[3, 0], [7, 0], [1, 1]]);
      expect(walk(at(1, 1), { type: 'word', forward: false }, 3)).toEqual([[9, 0], [5, 0], [0, 0]]);
      // From inside "ba|z", the next word is "qux" on the next row, not the "z" that ends "baz".
      expect(walk(at(8, 2), { type: 'word', forward: true }, 1)).toEqual([[2, 3]]);
      // Without flags (an older daemon) the rows are lines: "wo" is a word of its own.
      expect(walk(at(9, 0, []), { type: 'word', forward: true }, 1)).toEqual([[0, 1]]);
    });

    it('0, $ and ^ go to the ends of the logical line', () => {
      expect(run(at(0, 0), { type: 'line-end' }).cursor).toEqual({ line: 1, col: 8 });
      expect(run(at(8, 1), { type: 'line-start' }).cursor).toEqual({ line: 0, col: 0 });
      expect(run(at(0, 5), { type: 'indentation' }).cursor).toEqual({ line: 4, col: 2 });
      // Without flags, each row is its own line.
      expect(run(at(0, 0, []), { type: 'line-end' }).cursor).toEqual({ line: 0, col: 9 });
    });

    it('V selects whole logical lines, and v$ takes the line to its end', () => {
      const line = run(at(3, 3), { type: 'begin-selection', lineMode: true });
      expect(selectedText(line)).toBe('foo bar baz qux');
      expect(isSelected(line, 2, 0)).toBe(true);
      const down = run(line, { type: 'move', lines: 1 });
      expect(selectedText(down)).toBe('foo bar baz qux\n  indented wrap here');
      const toEnd = run(at(4, 2), { type: 'begin-selection', lineMode: false }, { type: 'line-end' });
      expect(selectedText(toEnd)).toBe('bar baz qux');
    });
  });
});
