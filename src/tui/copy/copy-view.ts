import { charWidth } from '../render/cells.js';
import type { PaneOverride } from '../render/compositor.js';
import { continues, isSelected, logicalLine, type CopyState } from './copy-state.js';

const SELECTED = '\x1b[7m';
const MATCH = '\x1b[30;43m';
const INDICATOR = '\x1b[30;43m';
const RESET = '\x1b[0m';

/**
 * Draws copy mode for the compositor: the visible lines as plain text, the selection in inverse,
 * search matches highlighted, and tmux's position indicator ("[line/total]") at the top right.
 */
export function renderCopyView(state: CopyState): PaneOverride {
  const lines: string[] = [];
  const query = state.search?.query;
  for (let r = 0; r < state.height; r++) {
    const index = state.top + r;
    const text = state.lines[index];
    lines.push(text === undefined ? ' '.repeat(state.width) : renderLine(state, index, text, query));
  }
  const indicator = ` [${state.top + 1}/${state.lines.length}] `;
  if (indicator.length < state.width && lines.length > 0) {
    lines[0] = overlayRight(state, lines[0]!, indicator, state.top);
  }
  return { lines, cursor: { x: Math.min(state.cursor.col, state.width - 1), y: state.cursor.line - state.top } };
}

function matchRanges(text: string, query: string | undefined): Array<[number, number]> {
  if (!query) return [];
  const caseSensitive = query !== query.toLowerCase();
  const hay = caseSensitive ? text : text.toLowerCase();
  const needle = caseSensitive ? query : query.toLowerCase();
  const ranges: Array<[number, number]> = [];
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + needle.length)) ranges.push([at, at + needle.length]);
  return ranges;
}

/** A diff line's colour, as git colours it: added green, removed red, hunks cyan, file headers bold. */
export function diffLineStyle(text: string): string {
  if (text.startsWith('+++') || text.startsWith('---') || text.startsWith('diff --git') || text.startsWith('index ')) return '\x1b[1m';
  if (text.startsWith('+')) return '\x1b[32m';
  if (text.startsWith('-')) return '\x1b[31m';
  if (text.startsWith('@@')) return '\x1b[36m';
  return '';
}

/** Line `index`'s matches; over a wrapped long line, those of the whole line, cut to this row. */
function lineMatches(state: CopyState, index: number, text: string, query: string | undefined): Array<[number, number]> {
  if (!query || (!continues(state, index) && !continues(state, index + 1))) return matchRanges(text, query);
  const run = logicalLine(state, index);
  const start = run.starts[index - run.first]!;
  const end = start + text.length;
  return matchRanges(run.text, query)
    .filter(([a, b]) => a < end && b > start)
    .map(([a, b]) => [Math.max(a, start) - start, Math.min(b, end) - start]);
}

function renderLine(state: CopyState, index: number, text: string, query: string | undefined, limit = state.width): string {
  const matches = lineMatches(state, index, text, query);
  const base = state.kind === 'diff' ? diffLineStyle(text) : '';
  let out = base;
  let cells = 0;
  let style = base;
  let col = 0;
  for (const ch of text) {
    const w = charWidth(ch.codePointAt(0)!);
    if (cells + w > limit) break;
    const next = isSelected(state, index, col) ? SELECTED : matches.some(([a, b]) => col >= a && col < b) ? MATCH : base;
    if (next !== style) {
      out += RESET + next;
      style = next;
    }
    out += w === 0 && cells === 0 ? '' : ch;
    cells += w;
    col += ch.length;
  }
  // Selection runs to the end of the view in line mode, and past the text's end on inner lines.
  const padSelected = state.selection !== undefined && isSelected(state, index, Math.max(col, text.length));
  out += RESET + (padSelected ? SELECTED : '') + ' '.repeat(Math.max(0, limit - cells)) + RESET;
  return out;
}

function overlayRight(state: CopyState, _line: string, indicator: string, index: number): string {
  const text = state.lines[index] ?? '';
  return renderLine(state, index, text, state.search?.query, state.width - indicator.length) + INDICATOR + indicator + RESET;
}
