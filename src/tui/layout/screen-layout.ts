import type { Rect } from './rect.js';
import { pageCapacity, paginate, type MinPane } from './pages.js';
import { tile } from './tile.js';

/** The smallest terminal the workstation draws in; below it, a message says so. */
export const MIN_COLS = 40;
export const MIN_ROWS = 10;
/** A tile narrower or shorter than this cannot show a useful pane body. */
const MIN_BODY_COLS = 8;
const MIN_BODY_ROWS = 2;
/**
 * Rows the panels column needs to draw anything: each of its four panels is a box of at least
 * three rows (panels/PanelsColumn.tsx). Below that the column would be blank, so the panes take
 * its columns (at 40×10 the pane gets the whole width).
 */
export const PANELS_MIN_ROWS = 12;

/** What the layout depends on: the terminal's size, the panes, zoom, and the panels column. */
export interface LayoutInput {
  readonly cols: number;
  readonly rows: number;
  /** Pane ids in display order. */
  readonly panes: readonly string[];
  /** The zoomed pane, if any: it gets the whole grid. */
  readonly zoomed?: string | undefined;
  /** Width of the panels column on the right (board, lane, inbox, feed); 0 hides it. */
  readonly panelsWidth: number;
  /**
   * The smallest pane body (layout/pages.ts): panes that would be smaller go on further pages,
   * and the page shown is the focused pane's. Without it every pane shares one page.
   */
  readonly minPane?: MinPane | undefined;
  /** The focused pane: its page is shown. */
  readonly focus?: string | undefined;
}

/** Where one pane is drawn: its tile, its title bar (the tile's first row) and its body. */
export interface PaneLayout {
  readonly id: string;
  readonly tile: Rect;
  readonly title: Rect;
  /** The cells the pane's pty is sized to and its rows are written into. */
  readonly body: Rect;
}

/**
 * The whole screen, computed by one pure function shared by the Ink chrome and the compositor so
 * that they always agree on where each pane is. Rows: `chrome` is Ink's tree (the terminal's
 * height minus one, so Ink never repaints a full-height frame), ending with the status bar; the
 * last terminal row is the message line, drawn by the compositor itself.
 */
export interface ScreenLayout {
  readonly cols: number;
  readonly rows: number;
  /** Set when the terminal is too small to draw anything useful: the message to show instead. */
  readonly tooSmall?: string | undefined;
  readonly chrome: Rect;
  readonly grid: Rect;
  readonly panels?: Rect | undefined;
  readonly statusBar: Rect;
  readonly messageLine: Rect;
  /** The panes that are visible (all, or the zoomed one), in display order. */
  readonly panes: readonly PaneLayout[];
  /** Vertical one-column dividers between tiles and before the panels. */
  readonly dividers: readonly Rect[];
  /** Every pane's id by page (one page when they all fit), and the page shown (0-based). */
  readonly pages: readonly (readonly string[])[];
  readonly page: number;
}

/** Lays out the screen. Pure: same input, same rectangles. */
export function computeLayout(input: LayoutInput): ScreenLayout {
  const cols = Math.max(0, Math.floor(input.cols));
  const rows = Math.max(0, Math.floor(input.rows));
  const chrome: Rect = { x: 0, y: 0, width: cols, height: Math.max(0, rows - 1) };
  const messageLine: Rect = { x: 0, y: Math.max(0, rows - 1), width: cols, height: 1 };
  const statusBar: Rect = { x: 0, y: Math.max(0, rows - 2), width: cols, height: 1 };
  const empty = { cols, rows, chrome, messageLine, statusBar, panes: [], dividers: [], pages: input.panes.length > 0 ? [input.panes] : [], page: 0 };
  if (cols < MIN_COLS || rows < MIN_ROWS) {
    return {
      ...empty,
      grid: { x: 0, y: 0, width: 0, height: 0 },
      tooSmall: `terminal too small: ${cols}×${rows}, citadel needs at least ${MIN_COLS}×${MIN_ROWS}`,
    };
  }
  const height = rows - 2; // minus status bar and message line
  const zoomedId = input.zoomed !== undefined && input.panes.includes(input.zoomed) ? input.zoomed : undefined;
  // Zoom gives a pane the grid; a pane that has the grid already (alone on its page) gets the
  // whole screen, the panels hidden, so prefix z always does something.
  const alone = zoomedId !== undefined && (!input.minPane ? input.panes.length === 1 : pageCapacity(fullGrid(cols, rows, input.panelsWidth), input.minPane) === 1 || input.panes.length === 1);
  const panelsWidth = alone ? 0 : panelsColumnWidth(cols, rows, input.panelsWidth);
  const gridWidth = panelsWidth > 0 ? cols - panelsWidth - 1 : cols;
  const grid: Rect = { x: 0, y: 0, width: gridWidth, height };
  const dividers: Rect[] = [];
  const panels: Rect | undefined = panelsWidth > 0 ? { x: gridWidth + 1, y: 0, width: panelsWidth, height } : undefined;
  if (panels) dividers.push({ x: gridWidth, y: 0, width: 1, height });

  const zoomed = input.zoomed !== undefined && input.panes.includes(input.zoomed) ? input.zoomed : undefined;
  const pages = input.minPane ? paginate(input.panes, pageCapacity(grid, input.minPane)) : input.panes.length > 0 ? [[...input.panes]] : [];
  const focusPage = pages.findIndex((p) => p.includes(zoomed ?? input.focus ?? ''));
  const page = Math.max(0, focusPage);
  const shown = zoomed !== undefined ? [zoomed] : [...(pages[page] ?? [])];
  const tiles = tile(shown.length, grid, input.minPane);
  const panes = shown.map((id, i): PaneLayout => {
    const t = tiles[i]!;
    return {
      id,
      tile: t,
      title: { x: t.x, y: t.y, width: t.width, height: 1 },
      body: { x: t.x, y: t.y + 1, width: t.width, height: Math.max(0, t.height - 1) },
    };
  });
  for (let i = 0; i < tiles.length - 1; i++) {
    const a = tiles[i]!;
    const b = tiles[i + 1]!;
    if (b.y === a.y) dividers.push({ x: a.x + a.width, y: a.y, width: 1, height: a.height });
  }
  const cramped = panes.find((p) => p.body.width < MIN_BODY_COLS || p.body.height < MIN_BODY_ROWS);
  if (cramped) {
    return {
      ...empty,
      grid,
      panels,
      pages,
      page,
      tooSmall: `${shown.length} panes do not fit in ${cols}×${rows}: enlarge the terminal, hide the panels or zoom a pane (prefix z)`,
    };
  }
  return { cols, rows, chrome, grid, panels, statusBar, messageLine, panes, dividers, pages, page };
}

/** The grid's size with the panels shown (what decides how many panes share a page). */
function fullGrid(cols: number, rows: number, panelsWidth: number): { width: number; height: number } {
  const panels = panelsColumnWidth(cols, rows, panelsWidth);
  return { width: panels > 0 ? cols - panels - 1 : cols, height: rows - 2 };
}

/**
 * The panels column's width: never more than half the screen, so the panes always keep room,
 * and none on a screen too short for the panels to draw a box (PANELS_MIN_ROWS).
 */
function panelsColumnWidth(cols: number, rows: number, panelsWidth: number): number {
  if (rows - 2 < PANELS_MIN_ROWS) return 0;
  return Math.min(Math.max(0, Math.floor(panelsWidth)), Math.floor((cols - 1) / 2));
}
