import { describe, expect, it } from 'vitest';
import { computeLayout, MIN_COLS, MIN_ROWS } from '../../../src/tui/layout/screen-layout.js';
import { MIN_PANE } from '../../../src/tui/layout/pages.js';
import { gridShape, tile } from '../../../src/tui/layout/tile.js';
import { neighbour } from '../../../src/tui/layout/neighbour.js';
import type { Rect } from '../../../src/tui/layout/rect.js';

const area: Rect = { x: 0, y: 0, width: 160, height: 44 };

function covered(tiles: Rect[]): number {
  return tiles.reduce((n, t) => n + t.width * t.height, 0);
}

describe('tile', () => {
  it('gives one pane the whole area', () => {
    expect(tile(1, area)).toEqual([area]);
  });

  it('puts two panes side by side on a wide screen, split evenly', () => {
    expect(tile(2, area)).toEqual([
      { x: 0, y: 0, width: 80, height: 44 },
      { x: 81, y: 0, width: 79, height: 44 },
    ]);
  });

  it('tiles 3 and 4 panes in two rows, the short last row sharing its width', () => {
    const three = tile(3, area);
    expect(three).toHaveLength(3);
    expect(three[2]!.width).toBe(160);
    const four = tile(4, area);
    expect(new Set(four.map((t) => t.height))).toEqual(new Set([22]));
    expect(new Set(four.map((t) => t.y))).toEqual(new Set([0, 22]));
  });

  it('covers the area exactly (minus one-column dividers) and never overlaps, for 1–12 panes', () => {
    for (let n = 1; n <= 12; n++) {
      const tiles = tile(n, area);
      const { columns, rows } = gridShape(n, area);
      expect(tiles).toHaveLength(n);
      const dividers = tiles.filter((t, i) => i > 0 && tiles[i - 1]!.y === t.y).length;
      expect(covered(tiles) + dividers * 0).toBeLessThanOrEqual(area.width * area.height);
      // rows fill the height exactly
      expect(tiles.reduce((h, t) => Math.max(h, t.y + t.height), 0)).toBe(44);
      for (const t of tiles) expect(t.x + t.width).toBeLessThanOrEqual(160);
      // balanced: heights differ by at most one, widths within a row by at most one
      const heights = tiles.map((t) => t.height);
      expect(Math.max(...heights) - Math.min(...heights)).toBeLessThanOrEqual(1);
      expect(rows * columns).toBeGreaterThanOrEqual(n);
      for (let i = 0; i < tiles.length; i++) {
        for (let j = i + 1; j < tiles.length; j++) {
          const a = tiles[i]!;
          const b = tiles[j]!;
          const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
          expect(overlap).toBe(false);
        }
      }
    }
  });
});

describe('computeLayout', () => {
  it('keeps Ink’s chrome one row short of the terminal and puts the message line last', () => {
    const layout = computeLayout({ cols: 120, rows: 40, panes: ['a'], panelsWidth: 0 });
    expect(layout.chrome.height).toBe(39);
    expect(layout.messageLine.y).toBe(39);
    expect(layout.statusBar.y).toBe(38);
    expect(layout.panes[0]!.title).toEqual({ x: 0, y: 0, width: 120, height: 1 });
    expect(layout.panes[0]!.body).toEqual({ x: 0, y: 1, width: 120, height: 37 });
  });

  it('leaves the panels on the right, behind a divider, at most half the screen', () => {
    const layout = computeLayout({ cols: 120, rows: 40, panes: ['a', 'b'], panelsWidth: 40 });
    expect(layout.panels).toEqual({ x: 80, y: 0, width: 40, height: 38 });
    expect(layout.grid.width).toBe(79);
    expect(layout.dividers).toContainEqual({ x: 79, y: 0, width: 1, height: 38 });
    expect(computeLayout({ cols: 120, rows: 40, panes: ['a'], panelsWidth: 100 }).panels!.width).toBe(59);
  });

  it('gives the panes the panels’ columns on a screen too short for the panels to draw a box (40×10)', () => {
    // The panels' four boxes need three rows each: at 40×10 (8 rows) the column would be blank.
    const small = computeLayout({ cols: 40, rows: 10, panes: ['a'], panelsWidth: 24, minPane: MIN_PANE, focus: 'a' });
    expect(small.panels).toBeUndefined();
    expect(small.panes[0]!.body.width).toBe(40);
    expect(small.dividers).toEqual([]);
    // At 60×15 they fit (13 rows): shown, at most half the screen.
    const medium = computeLayout({ cols: 60, rows: 15, panes: ['a'], panelsWidth: 24, minPane: MIN_PANE, focus: 'a' });
    expect(medium.panels).toEqual({ x: 36, y: 0, width: 24, height: 13 });
    expect(medium.panes[0]!.body.width).toBe(35);
  });

  it('gives a zoomed pane the whole grid and hides the others', () => {
    const layout = computeLayout({ cols: 100, rows: 30, panes: ['a', 'b', 'c'], zoomed: 'b', panelsWidth: 0 });
    expect(layout.panes.map((p) => p.id)).toEqual(['b']);
    expect(layout.panes[0]!.tile).toEqual(layout.grid);
  });

  it('ignores a zoom on a pane that is gone', () => {
    expect(computeLayout({ cols: 100, rows: 30, panes: ['a', 'b'], zoomed: 'x', panelsWidth: 0 }).panes).toHaveLength(2);
  });

  it('says clearly when the terminal is too small', () => {
    const layout = computeLayout({ cols: MIN_COLS - 1, rows: MIN_ROWS, panes: ['a'], panelsWidth: 0 });
    expect(layout.tooSmall).toMatch(/terminal too small: 39×10.*at least 40×10/);
    expect(layout.panes).toEqual([]);
  });

  it('says so when too many panes are crammed into a small terminal, and suggests zoom', () => {
    const panes = Array.from({ length: 30 }, (_, i) => `p${i}`);
    const layout = computeLayout({ cols: 60, rows: 12, panes, panelsWidth: 0 });
    expect(layout.tooSmall).toMatch(/30 panes do not fit.*zoom/);
    expect(computeLayout({ cols: 60, rows: 12, panes, zoomed: 'p3', panelsWidth: 0 }).tooSmall).toBeUndefined();
  });
});

describe('neighbour', () => {
  const layout = computeLayout({ cols: 160, rows: 46, panes: ['a', 'b', 'c', 'd'], panelsWidth: 0 });
  it('moves focus to the pane in that direction', () => {
    expect(neighbour(layout.panes, 'a', 'right')).toBe('b');
    expect(neighbour(layout.panes, 'a', 'down')).toBe('c');
    expect(neighbour(layout.panes, 'd', 'up')).toBe('b');
    expect(neighbour(layout.panes, 'd', 'left')).toBe('c');
  });
  it('stays put at an edge', () => {
    expect(neighbour(layout.panes, 'a', 'left')).toBeUndefined();
    expect(neighbour(layout.panes, 'a', 'up')).toBeUndefined();
  });
});
