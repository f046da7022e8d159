import { splitEvenly, type Rect } from './rect.js';

/**
 * Auto-tiles `count` panes into `area`, balanced like tmux's `tiled` layout: as many columns as
 * the square root suggests, rows filled in order, and a short last row whose panes share its
 * whole width. Adjacent tiles in a row are separated by one column (the vertical divider the
 * chrome draws); rows need no separator because every tile starts with its title bar.
 *
 * Returns one rectangle per pane, in pane order, covering the area exactly (minus dividers).
 */
export function tile(count: number, area: Rect, min?: { cols: number; rows: number }): Rect[] {
  if (count <= 0) return [];
  const { columns, rows } = gridShape(count, area, min);
  const heights = splitEvenly(area.height, rows);
  const tiles: Rect[] = [];
  let y = area.y;
  let placed = 0;
  for (let row = 0; row < rows; row++) {
    const inRow = Math.min(columns, count - placed);
    const widths = splitEvenly(area.width - (inRow - 1), inRow);
    let x = area.x;
    for (const width of widths) {
      tiles.push({ x, y, width, height: heights[row]! });
      x += width + 1;
    }
    y += heights[row]!;
    placed += inRow;
  }
  return tiles;
}

/**
 * How many columns and rows `count` panes get. A terminal cell is about twice as tall as it is
 * wide, so on a wide screen panes go side by side first (2 panes: two columns), and rows are
 * added once a column would get narrower than it is tall in pixels. With `min` (the smallest
 * readable pane body, layout/pages.ts), shapes whose tiles would be smaller lose to any that fit.
 */
export function gridShape(count: number, area: Pick<Rect, 'width' | 'height'>, min?: { cols: number; rows: number }): { columns: number; rows: number } {
  let best = { columns: count, rows: 1 };
  let bestScore = -Infinity;
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    // Skip shapes whose last row would be empty.
    if ((rows - 1) * columns >= count) continue;
    const fitsMin = !min || (Math.floor((area.width - (columns - 1)) / columns) >= min.cols && Math.floor(area.height / rows) - 1 >= min.rows);
    const width = area.width / columns;
    const height = (area.height / rows) * 2; // cells are ~2:1
    // Prefer the squarest tiles, with a slight bias for landscape panes (terminals are wide).
    const aspect = width / height;
    const score = -Math.abs(Math.log(aspect / 1.6)) - 0.01 * (rows * columns - count) - (fitsMin ? 0 : 1000);
    if (score > bestScore) {
      bestScore = score;
      best = { columns, rows };
    }
  }
  return best;
}
