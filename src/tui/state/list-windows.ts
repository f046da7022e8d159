import { panelHeights } from './layout-reducer.js';
import { cursorIndex, scrollTop } from './list-cursor.js';
import { currentRequest } from './lane-order.js';
import type { ListPanel, PanelsState } from './panels-reducer.js';
import type { PanelsView } from './panels-view.js';

/**
 * The panels' list windows: the first row each list shows. A window scrolls only when the
 * selection leaves it (as less and tmux's choose-tree do), so it has a memory — held in
 * `PanelsState.windows`, moved on by {@link followWindows}, a pure function of the state, the
 * view and the column's height. The components draw from it and keep nothing of their own.
 */
export type ListWindows = Readonly<Record<ListPanel, number>>;

export const noWindows: ListWindows = { board: 0, inbox: 0, lane: 0, feed: 0 };

/** The rows a panel of `height` has for its content, inside its border and title (Panel.tsx draws them). */
export function innerRows(height: number): number {
  return Math.max(0, height - 3);
}

/**
 * How the refinery lane splits its rows: the current request's gate tail gets up to half of
 * them while something is being tested (and a rule above it), an expanded request two, the
 * list the rest.
 */
export function laneRows(rows: number, testing: boolean, gateTailLength: number, expanded: boolean): { listRows: number; tailRows: number; detailRows: number } {
  const tailRows = testing && gateTailLength ? Math.min(gateTailLength, Math.max(1, Math.floor(rows / 2))) : 0;
  const detailRows = expanded ? 2 : 0;
  return { listRows: Math.max(1, rows - tailRows - (tailRows ? 1 : 0) - detailRows), tailRows, detailRows };
}

/** One list's place: the selected row, the rows it shows, the rows it has. */
interface ListPlace {
  readonly selected: number;
  readonly rows: number;
  readonly total: number;
}

/** Where each shown list's selection is and how many rows it has, in a column `height` rows tall. */
function places(state: PanelsState, view: PanelsView, height: number): Partial<Record<ListPanel, ListPlace>> {
  const formHeight = state.form ? state.form.fields.length + 4 + (state.form.error ? 1 : 0) : 0;
  const out: Partial<Record<ListPanel, ListPlace>> = {};
  for (const { panel, rows: panelRows } of panelHeights(state.layout, Math.max(0, height - formHeight))) {
    const rows = innerRows(panelRows);
    switch (panel) {
      case 'board': {
        const selected = cursorIndex(state.board.cursor, view.board.order);
        out.board = { selected: selected >= 0 ? (view.board.rowOf[selected] ?? 0) : 0, rows, total: view.board.rows.length };
        break;
      }
      case 'inbox':
        out.inbox = { selected: Math.max(0, cursorIndex(state.inbox.cursor, view.inboxOrder)), rows, total: view.inbox.length };
        break;
      case 'lane': {
        const expanded = state.lane.open ? view.lane.some((r) => r.id === state.lane.open) : false;
        const { listRows } = laneRows(rows, currentRequest(view.lane) !== undefined, view.snapshot.gateTail.length, expanded);
        out.lane = { selected: Math.max(0, cursorIndex(state.lane.cursor, view.laneOrder)), rows: listRows, total: view.lane.length };
        break;
      }
      case 'feed':
        out.feed = { selected: Math.max(0, cursorIndex(state.feed.cursor, view.feedOrder)), rows, total: view.feed.length };
        break;
    }
  }
  return out;
}

/**
 * The windows after the selections moved (or the lists or the column changed): each shown list
 * scrolled just enough to keep its selection in view; the board back to its top when its first
 * bead is selected (so the section header above it shows). Returns `windows` itself when
 * nothing moved.
 */
export function followWindows(windows: ListWindows, state: PanelsState, view: PanelsView, height: number): ListWindows {
  const at = places(state, view, height);
  let next: Record<ListPanel, number> | undefined;
  for (const panel of ['board', 'inbox', 'lane', 'feed'] as const) {
    const place = at[panel];
    if (!place) continue;
    let top = scrollTop(place.selected, place.rows, place.total, windows[panel]);
    if (panel === 'board' && cursorIndex(state.board.cursor, view.board.order) === 0) top = 0;
    if (top !== windows[panel]) (next ??= { ...windows })[panel] = top;
  }
  return next ?? windows;
}
