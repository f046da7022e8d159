/**
 * Copy mode, as a pure reducer: a view over the focused pane's scrollback plus its screen (plain
 * text lines, oldest first), with a cursor, an optional selection, and search. The shell turns
 * `yank` into OSC 52 plus a file; the reducer only says what text is selected. A long line the
 * pane wrapped is one line to yank and to search, as in tmux (`wrapped`, from the daemon).
 */
export interface Point {
  readonly line: number;
  readonly col: number;
}

export interface CopyState {
  readonly lines: readonly string[];
  /** The view's size (the pane body). */
  readonly width: number;
  readonly height: number;
  /** Index of the first line shown. */
  readonly top: number;
  readonly cursor: Point;
  readonly selection: { readonly anchor: Point; readonly lineMode: boolean } | undefined;
  readonly search: { readonly query: string; readonly backward: boolean } | undefined;
  /** A search being typed (shown on the message line). */
  readonly prompt: { readonly backward: boolean; readonly text: string } | undefined;
  readonly message: string | undefined;
  /**
   * `wrapped[i]`: line i continues line i - 1 (the terminal wrapped a long line there, no
   * newline). Yank and search join such lines; absent, every line is its own.
   */
  readonly wrapped?: readonly boolean[] | undefined;
  /** What the lines are: a pane's scrollback, or a diff (coloured by line: diff/copy-view.ts). */
  readonly kind?: 'scrollback' | 'diff' | undefined;
}

export type CopyAction =
  | { type: 'move'; lines?: number; cols?: number }
  | { type: 'page'; pages: number }
  | { type: 'top' }
  | { type: 'bottom' }
  | { type: 'line-start' }
  | { type: 'line-end' }
  | { type: 'word'; forward: boolean }
  | { type: 'begin-selection'; lineMode: boolean }
  | { type: 'clear-selection' }
  | { type: 'prompt'; backward: boolean }
  | { type: 'prompt-input'; text: string }
  | { type: 'prompt-backspace' }
  | { type: 'prompt-submit' }
  | { type: 'prompt-cancel' }
  | { type: 'search-again'; reverse: boolean }
  | { type: 'resize'; width: number; height: number };

/**
 * Enters copy mode on `lines` (scrollback then screen), with the cursor where the pane's cursor
 * is (`screenCursor`, in screen coordinates; the screen is the last `height` lines).
 */
export function enterCopyMode(
  lines: readonly string[],
  width: number,
  height: number,
  screenCursor?: { x: number; y: number },
  wrapped?: readonly boolean[],
): CopyState {
  const top = Math.max(0, lines.length - height);
  const line = Math.min(Math.max(0, lines.length - 1), top + (screenCursor?.y ?? height - 1));
  return {
    lines,
    width,
    height,
    top,
    cursor: { line: Math.max(0, line), col: Math.min(screenCursor?.x ?? 0, Math.max(0, width - 1)) },
    selection: undefined,
    search: undefined,
    prompt: undefined,
    message: undefined,
    ...(wrapped?.some(Boolean) ? { wrapped } : {}),
  };
}

/** Whether line `i` continues line `i - 1` (a wrap, not a newline). */
export function continues(state: CopyState, i: number): boolean {
  return i > 0 && state.wrapped?.[i] === true;
}

/**
 * The logical line that physical line `i` is part of: its first physical line, its text (the
 * wrapped rows joined), and where each of its physical lines starts in that text.
 */
export function logicalLine(state: CopyState, i: number): { first: number; text: string; starts: number[] } {
  let first = i;
  while (continues(state, first)) first--;
  let text = '';
  const starts: number[] = [];
  for (let l = first; l === first || (l < state.lines.length && continues(state, l)); l++) {
    starts.push(text.length);
    text += state.lines[l] ?? '';
  }
  return { first, text, starts };
}

/** A point in a logical line's text back to its physical line and column. */
function physical(run: { first: number; starts: number[] }, offset: number): Point {
  let k = run.starts.length - 1;
  while (k > 0 && run.starts[k]! > offset) k--;
  return { line: run.first + k, col: offset - run.starts[k]! };
}

function clampCursor(state: CopyState, cursor: Point): CopyState {
  const last = Math.max(0, state.lines.length - 1);
  const line = Math.min(Math.max(0, cursor.line), last);
  const col = Math.min(Math.max(0, cursor.col), Math.max(0, state.width - 1));
  let top = state.top;
  if (line < top) top = line;
  if (line >= top + state.height) top = line - state.height + 1;
  top = Math.min(Math.max(0, top), Math.max(0, state.lines.length - state.height));
  return { ...state, cursor: { line, col }, top, message: undefined };
}

export function copyReducer(state: CopyState, action: CopyAction): CopyState {
  const { cursor } = state;
  switch (action.type) {
    case 'move':
      return clampCursor(state, { line: cursor.line + (action.lines ?? 0), col: cursor.col + (action.cols ?? 0) });
    case 'page': {
      const delta = Math.round(action.pages * state.height);
      const moved = clampCursor(state, { line: cursor.line + delta, col: cursor.col });
      // Scroll the view by the same amount, like tmux, so the cursor keeps its place on screen.
      const top = Math.min(Math.max(0, state.top + delta), Math.max(0, state.lines.length - state.height));
      return clampCursor({ ...moved, top }, moved.cursor);
    }
    case 'top':
      return clampCursor(state, { line: 0, col: 0 });
    case 'bottom':
      return clampCursor(state, { line: state.lines.length - 1, col: 0 });
    case 'line-start':
      return clampCursor(state, { line: cursor.line, col: 0 });
    case 'line-end':
      return clampCursor(state, { line: cursor.line, col: Math.max(0, (state.lines[cursor.line] ?? '').trimEnd().length - 1) });
    case 'word':
      return clampCursor(state, nextWord(state, action.forward));
    case 'begin-selection':
      return { ...state, selection: { anchor: cursor, lineMode: action.lineMode } };
    case 'clear-selection':
      return { ...state, selection: undefined };
    case 'prompt':
      return { ...state, prompt: { backward: action.backward, text: '' } };
    case 'prompt-input':
      return state.prompt ? { ...state, prompt: { ...state.prompt, text: state.prompt.text + action.text } } : state;
    case 'prompt-backspace':
      return state.prompt ? { ...state, prompt: { ...state.prompt, text: [...state.prompt.text].slice(0, -1).join('') } } : state;
    case 'prompt-cancel':
      return { ...state, prompt: undefined };
    case 'prompt-submit': {
      if (!state.prompt) return state;
      const search = state.prompt.text ? { query: state.prompt.text, backward: state.prompt.backward } : state.search;
      const next = { ...state, prompt: undefined, search };
      return search ? find(next, search.backward) : next;
    }
    case 'search-again':
      return state.search ? find(state, action.reverse ? !state.search.backward : state.search.backward) : { ...state, message: 'no search yet: / or ? to search' };
    case 'resize':
      return clampCursor({ ...state, width: action.width, height: action.height }, cursor);
  }
}

/**
 * Moves to the next match of the current search, wrapping around; says so when nothing matches.
 * Searches logical lines, so a match may cross the point where the pane wrapped a long line.
 */
function find(state: CopyState, backward: boolean): CopyState {
  const query = state.search?.query;
  if (!query) return state;
  const needle = query.toLowerCase();
  const caseSensitive = query !== needle; // smart case: an upper-case letter makes it exact
  const target = caseSensitive ? query : needle;
  // The logical lines, as [first physical line, one past the last].
  const runs: Array<[number, number]> = [];
  for (let l = 0; l < state.lines.length; l++) {
    if (continues(state, l) && runs.length > 0) runs[runs.length - 1]![1] = l + 1;
    else runs.push([l, l + 1]);
  }
  const n = runs.length;
  if (n === 0) return { ...state, message: `not found: ${query}` };
  const here = runs.findIndex(([a, b]) => state.cursor.line >= a && state.cursor.line < b);
  const current = Math.max(0, here);
  const cursorRun = logicalLine(state, runs[current]![0]);
  const offset = cursorRun.starts[state.cursor.line - cursorRun.first]! + state.cursor.col;
  for (let step = 0; step <= n; step++) {
    const r = backward ? (current - step + n * 2) % n : (current + step) % n;
    const run = logicalLine(state, runs[r]![0]);
    const text = caseSensitive ? run.text : run.text.toLowerCase();
    let at: number;
    if (step === 0) at = backward ? (offset === 0 ? -1 : text.lastIndexOf(target, offset - 1)) : text.indexOf(target, offset + 1);
    else at = backward ? text.lastIndexOf(target) : text.indexOf(target);
    if (at >= 0) return clampCursor(state, physical(run, at));
  }
  return { ...state, message: `not found: ${query}` };
}

function nextWord(state: CopyState, forward: boolean): Point {
  const isWord = (ch: string | undefined): boolean => ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);
  let { line, col } = state.cursor;
  const at = (l: number, c: number): string | undefined => state.lines[l]?.[c];
  if (forward) {
    // Skip the rest of this word, then the gap, across lines.
    while (line < state.lines.length && isWord(at(line, col))) col++;
    for (;;) {
      const text = state.lines[line] ?? '';
      while (col < text.length && !isWord(text[col])) col++;
      if (col < text.length || line >= state.lines.length - 1) break;
      line++;
      col = 0;
    }
  } else {
    col--;
    for (;;) {
      while (col >= 0 && !isWord(at(line, col))) col--;
      if (col >= 0 || line === 0) break;
      line--;
      col = (state.lines[line] ?? '').length - 1;
    }
    while (col > 0 && isWord(at(line, col - 1))) col--;
  }
  return { line, col: Math.max(0, col) };
}

/**
 * The selected text, or undefined with no selection: lines joined by "\n", trailing spaces
 * trimmed — except where the pane wrapped a long line: those rows join with nothing between.
 */
export function selectedText(state: CopyState): string | undefined {
  if (!state.selection) return undefined;
  const [start, end] = ordered(state.selection.anchor, state.cursor);
  let out = '';
  for (let l = start.line; l <= end.line; l++) {
    const text = state.lines[l] ?? '';
    const from = state.selection.lineMode || l !== start.line ? 0 : start.col;
    const to = state.selection.lineMode || l !== end.line ? text.length : end.col + 1;
    const part = text.slice(from, to);
    // A row the next one continues keeps its spaces: they are inside the line.
    const wrapsOn = l < end.line && continues(state, l + 1);
    if (l > start.line && !continues(state, l)) out += '\n';
    out += wrapsOn ? part : part.trimEnd();
  }
  return out;
}

/** Whether cell (line, col) is inside the selection. */
export function isSelected(state: CopyState, line: number, col: number): boolean {
  if (!state.selection) return false;
  const [start, end] = ordered(state.selection.anchor, state.cursor);
  if (line < start.line || line > end.line) return false;
  if (state.selection.lineMode) return true;
  if (line === start.line && col < start.col) return false;
  if (line === end.line && col > end.col) return false;
  return true;
}

function ordered(a: Point, b: Point): [Point, Point] {
  return a.line < b.line || (a.line === b.line && a.col <= b.col) ? [a, b] : [b, a];
}
