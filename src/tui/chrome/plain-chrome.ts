import { textWidth } from '../render/cells.js';
import { gridChromeLines, type GridChromeInput } from './grid-chrome.js';
import { SGR_RESET, type ChromePalette } from './palette.js';
import { truncate } from './title-bar.js';

/**
 * The chrome without Ink: the pane grid's title bars and dividers (the same pure function the
 * Ink chrome uses), a blank panels and a one-line status. It is the first frame, drawn while
 * Ink (~0.6 s to import here) and the panels load, so `citadel` shows every pane at once.
 */
export function plainChromeFrame(input: GridChromeInput, palette: ChromePalette, status: string): string {
  const { layout } = input;
  if (layout.tooSmall) return '';
  const grid = gridChromeLines(input, palette);
  const lines: string[] = [];
  const divider = palette.divider + '│' + SGR_RESET;
  for (let y = 0; y < layout.chrome.height; y++) {
    if (y === layout.statusBar.y) {
      const text = truncate(status, layout.cols);
      lines.push('\x1b[7m' + text + ' '.repeat(Math.max(0, layout.cols - textWidth(text))) + SGR_RESET);
      continue;
    }
    let line = grid[y] ?? ' '.repeat(layout.grid.width);
    if (layout.panels) line += divider + ' '.repeat(layout.panels.width);
    lines.push(line);
  }
  return lines.join('\n');
}
