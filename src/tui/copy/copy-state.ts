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
  /** A diff zooms its pane; leaving gives the zoom back as it was (`zoomed`: zoomed before it). */
  readonly restoreZoom?: { readonly zoomed: boolean } | undefined;
}

export type CopyAction =
  | { type: 'move'; lines?: number; cols?: number }
  | { type: 'page'; pages: number }
  | { type: 'top' }
  | { type: 'bottom' }
  | { type: 'line-start' }
  | { type: 'line-end' }
  | { type: 'indentation' }
  | { type: 'word'; forward: boolean; spaces?: boolean }
  | { type: 'word-end'; spaces?: boolean }
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

/**
 * A point in a logical line's text back to its physical line and column. An offset on a row's
 * start is that row's column 0, unless `end` (a position just past text: it stays on the row before).
 */
function physical(run: { first: number; starts: number[] }, offset: number, end = false): Point {
  let k = run.starts.length - 1;
  while (k > 0 && (run.starts[k]! > offset || (end && run.starts[k]! === offset))) k--;
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
    // Line motions work on the logical line (the rows a long line wrapped over), as tmux's do.
    case 'line-start':
      return clampCursor(state, { line: logicalLine(state, cursor.line).first, col: 0 });
    case 'line-end': {
      // Past the last character, as tmux's vi `$` (so `v$y` takes the whole line's end).
      const run = logicalLine(state, cursor.line);
      return clampCursor(state, physical(run, run.text.trimEnd().length, true));
    }
    case 'indentation': {
      const run = logicalLine(state, cursor.line);
      const first = run.text.search(/\S/);
      return clampCursor(state, physical(run, first < 0 ? 0 : first));
    }
    case 'word':
      return clampCursor(state, action.forward ? nextWord(state, action.spaces) : previousWord(state, action.spaces));
    case 'word-end':
      return clampCursor(state, wordEnd(state, action.spaces));
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

/** tmux's default `word-separators`: each run of them is a word of its own, as in vi. */
const SEPARATORS = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^`{|}~');

/** A character's class for word motions: 0 blank (a line's end too), 1 separator, 2 word. */
function charClass(ch: string, spaces: boolean | undefined): 0 | 1 | 2 {
  if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '') return 0;
  return !spaces && SEPARATORS.has(ch) ? 1 : 2;
}

/**
 * Walks copy mode's text a character at a time over logical lines: the rows a long line wrapped
 * over are one run of text, and a real line end reads as one blank ('\n') — so a word goes on
 * across a wrap but not across a newline, as in tmux.
 */
class Walker {
  private run: { first: number; text: string; starts: number[] };
  private off: number;

  constructor(private readonly state: CopyState) {
    const run = logicalLine(state, state.cursor.line);
    this.run = run;
    this.off = Math.min(run.starts[state.cursor.line - run.first]! + state.cursor.col, run.text.length);
  }

  get char(): string {
    return this.off < this.run.text.length ? this.run.text[this.off]! : '\n';
  }

  /** One character on (a surrogate pair is one); false at the end of the text. */
  next(): boolean {
    if (this.off < this.run.text.length) {
      this.off += isLowSurrogate(this.run.text.charCodeAt(this.off + 1)) ? 2 : 1;
      return true;
    }
    const after = this.run.first + this.run.starts.length;
    if (after >= this.state.lines.length) return false;
    this.run = logicalLine(this.state, after);
    this.off = 0;
    return true;
  }

  /** One character back; false at the start of the text. */
  prev(): boolean {
    if (this.off > 0) {
      this.off -= this.off >= 2 && isLowSurrogate(this.run.text.charCodeAt(this.off - 1)) ? 2 : 1;
      return true;
    }
    if (this.run.first === 0) return false;
    this.run = logicalLine(this.state, this.run.first - 1);
    this.off = this.run.text.length;
    return true;
  }

  get point(): Point {
    return physical(this.run, this.off, this.off === this.run.text.length && this.off > 0);
  }
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** vi `w` (`W` with `spaces`: words are what blanks separate): the start of the next word. */
function nextWord(state: CopyState, spaces: boolean | undefined): Point {
  const at = new Walker(state);
  const from = charClass(at.char, spaces);
  if (from !== 0) while (at.next() && charClass(at.char, spaces) === from);
  while (charClass(at.char, spaces) === 0) if (!at.next()) break;
  return at.point;
}

/** vi `b` / `B`: the start of this word, or of the one before when already there. */
function previousWord(state: CopyState, spaces: boolean | undefined): Point {
  const at = new Walker(state);
  do if (!at.prev()) return at.point;
  while (charClass(at.char, spaces) === 0);
  const cls = charClass(at.char, spaces);
  while (at.prev()) {
    if (charClass(at.char, spaces) !== cls) {
      at.next();
      break;
    }
  }
  return at.point;
}

/** vi `e` / `E`: the last character of this word, or of the next one when already there. */
function wordEnd(state: CopyState, spaces: boolean | undefined): Point {
  const at = new Walker(state);
  if (!at.next()) return at.point;
  while (charClass(at.char, spaces) === 0) if (!at.next()) return state.cursor;
  const cls = charClass(at.char, spaces);
  while (at.next()) {
    if (charClass(at.char, spaces) !== cls) {
      at.prev();
      break;
    }
  }
  return at.point;
}

/**
 * The selected text, or undefined with no selection: lines joined by "\n", trailing spaces
 * trimmed — except where the pane wrapped a long line: those rows join with nothing between.
 */
export function selectedText(state: CopyState): string | undefined {
  const bounds = selectionBounds(state);
  if (!bounds) return undefined;
  const [start, end, lineMode] = bounds;
  let out = '';
  for (let l = start.line; l <= end.line; l++) {
    const text = state.lines[l] ?? '';
    const from = lineMode || l !== start.line ? 0 : start.col;
    const to = lineMode || l !== end.line ? text.length : end.col + 1;
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
  const bounds = selectionBounds(state);
  if (!bounds) return false;
  const [start, end, lineMode] = bounds;
  if (line < start.line || line > end.line) return false;
  if (lineMode) return true;
  if (line === start.line && col < start.col) return false;
  if (line === end.line && col > end.col) return false;
  return true;
}

/**
 * The selection's first and last points, in order; a line selection (`V`) takes whole logical
 * lines, every row a long line wrapped over, as tmux's select-line does.
 */
function selectionBounds(state: CopyState): [Point, Point, boolean] | undefined {
  if (!state.selection) return undefined;
  const [start, end] = ordered(state.selection.anchor, state.cursor);
  if (!state.selection.lineMode) return [start, end, false];
  const last = logicalLine(state, end.line);
  return [{ line: logicalLine(state, start.line).first, col: 0 }, { line: last.first + last.starts.length - 1, col: 0 }, true];
}

function ordered(a: Point, b: Point): [Point, Point] {
  return a.line < b.line || (a.line === b.line && a.col <= b.col) ? [a, b] : [b, a];
}
