import type { PaneInfo } from '../../daemon/protocol.js';
import { visibleLine } from '../../common/visible-text.js';
import type { LostPolecat } from '../live/lost-polecats.js';
import type { ScreenLayout } from '../layout/screen-layout.js';
import { textWidth } from '../render/cells.js';
import { SGR_RESET, type ChromePalette } from './palette.js';
import { titleBar } from './title-bar.js';

export interface GridChromeInput {
  readonly layout: ScreenLayout;
  readonly panes: readonly PaneInfo[];
  readonly focus: string | undefined;
  /** Whether the focus highlight shows (false while the panels have the keyboard). */
  readonly panesHaveKeyboard: boolean;
  readonly zoomed: string | undefined;
  readonly copyMode: boolean;
  readonly beadTitles: ReadonlyMap<string, string>;
  readonly programTitles: ReadonlyMap<string, string>;
  /** Polecats lost or exited without a pane: shown, with how to restart them, when no pane runs. */
  readonly lost?: readonly LostPolecat[] | undefined;
}

/**
 * The pane grid's chrome as styled lines, one per grid row, each exactly the grid's width: title
 * bars on each tile's first row, dividers between tiles, and blank pane bodies (the compositor
 * writes the bodies over them).
 */
export function gridChromeLines(input: GridChromeInput, palette: ChromePalette): string[] {
  const { layout } = input;
  const { grid } = layout;
  const lines: string[] = [];
  if (layout.panes.length === 0) {
    const text = input.lost?.length
      ? lostText(input.lost, grid.height)
      : ['No polecats yet.', 'Give a bead to an agent: citadel sling <bead id>  (or from the board)'];
    const top = Math.floor((grid.height - text.length) / 2);
    for (let y = 0; y < grid.height; y++) {
      const t = text[y - top];
      if (t === undefined) lines.push(' '.repeat(grid.width));
      else {
        const cut = t.slice(0, grid.width);
        const pad = Math.max(0, Math.floor((grid.width - textWidth(cut)) / 2));
        lines.push(' '.repeat(pad) + palette.dim + cut + SGR_RESET + ' '.repeat(Math.max(0, grid.width - pad - textWidth(cut))));
      }
    }
    return lines;
  }
  const numbers = new Map(input.panes.map((p, i) => [p.id, i + 1]));
  const info = new Map(input.panes.map((p) => [p.id, p]));
  for (let y = grid.y; y < grid.y + grid.height; y++) {
    const row = layout.panes.filter((p) => y >= p.tile.y && y < p.tile.y + p.tile.height).sort((a, b) => a.tile.x - b.tile.x);
    let line = '';
    let x = grid.x;
    for (const p of row) {
      if (p.tile.x > x) {
        line += palette.divider + '│'.repeat(p.tile.x - x) + SGR_RESET;
        x = p.tile.x;
      }
      const pane = info.get(p.id);
      if (y === p.tile.y && pane) {
        line += titleBar(
          {
            pane,
            number: numbers.get(p.id) ?? 0,
            width: p.tile.width,
            focused: input.panesHaveKeyboard && p.id === input.focus,
            zoomed: p.id === input.zoomed,
            copyMode: input.copyMode && p.id === input.focus,
            beadTitle: pane.bead ? input.beadTitles.get(pane.bead) : undefined,
            programTitle: input.programTitles.get(p.id),
          },
          palette,
        );
      } else line += ' '.repeat(p.tile.width);
      x += p.tile.width;
    }
    if (x < grid.x + grid.width) line += ' '.repeat(grid.x + grid.width - x);
    lines.push(line);
  }
  return lines;
}

/**
 * What the grid says when no pane runs but the journal knows polecats whose program is gone:
 * each one lost (with the daemon) or exited, its bead, and how to start it again.
 */
function lostText(lost: readonly LostPolecat[], height: number): string[] {
  const many = lost.length > 1;
  const head = `No polecat is running: ${lost.length} ${many ? 'were' : 'was'} lost or exited.`;
  const width = Math.max(...lost.map((p) => p.name.length));
  const room = Math.max(1, height - 4);
  const rows = lost.slice(0, lost.length > room ? room - 1 : room).map((p) => {
    const how = p.status === 'lost' ? 'lost (its daemon stopped)' : `exited${p.exitCode !== undefined ? ` (code ${p.exitCode})` : ''}`;
    return visibleLine(`${p.name.padEnd(width)}  ${how}${p.bead ? `  ${p.bead}` : ''}`);
  });
  if (rows.length < lost.length) rows.push(`… and ${lost.length - rows.length} more (citadel polecat list)`);
  // Centred as one block, so the columns align.
  const rowWidth = Math.max(...rows.map((r) => textWidth(r)));
  for (let i = 0; i < rows.length; i++) rows[i] = rows[i]! + ' '.repeat(rowWidth - textWidth(rows[i]!));
  const example = lost[0]!.name;
  return [head, '', ...rows, '', `Restart one with its bead: citadel polecat restart ${visibleLine(example)}${many ? '  (each by name)' : ''}`];
}
