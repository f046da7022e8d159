import type { Rect } from './rect.js';
import { gridShape } from './tile.js';

/**
 * The smallest pane the workstation shows, body cells (the title bar is one more row): below
 * it an agent's screen is unreadable, so panes go on further pages (tmux's windows) instead of
 * shrinking. 60 columns keep a prompt and a diff line readable; 10 rows a spinner block.
 */
export const MIN_PANE = { cols: 60, rows: 10 } as const;

export interface MinPane {
  readonly cols: number;
  readonly rows: number;
}

/** Whether `count` tiles, shaped as `tile` would shape them, each keep a `min` body. */
function fits(count: number, area: Pick<Rect, 'width' | 'height'>, min: MinPane): boolean {
  const { columns, rows } = gridShape(count, area, min);
  const width = Math.floor((area.width - (columns - 1)) / columns);
  const height = Math.floor(area.height / rows);
  return width >= min.cols && height - 1 >= min.rows;
}

/** How many panes one page holds in `area` (at least one: a lone pane takes what there is). */
export function pageCapacity(area: Pick<Rect, 'width' | 'height'>, min: MinPane = MIN_PANE): number {
  // Enough for any screen: a 1000×1000 terminal holds 16×90 minimum panes.
  let n = 1;
  while (n < 4096 && fits(n + 1, area, min)) n++;
  return n;
}

/** The panes split into pages of `capacity`, in display order. */
export function paginate<T>(panes: readonly T[], capacity: number): T[][] {
  const pages: T[][] = [];
  for (let i = 0; i < panes.length; i += Math.max(1, capacity)) pages.push(panes.slice(i, i + Math.max(1, capacity)));
  return pages;
}
