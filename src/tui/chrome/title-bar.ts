import type { PaneInfo } from '../../daemon/protocol.js';
import { visibleLine } from '../../common/visible-text.js';
import { fitCells, textWidth } from '../render/cells.js';
import { SGR_RESET, type ChromePalette } from './palette.js';

export interface TitleBarInput {
  readonly pane: PaneInfo;
  /** 1-based position (prefix + number focuses it). */
  readonly number: number;
  readonly width: number;
  readonly focused: boolean;
  readonly zoomed: boolean;
  readonly copyMode: boolean;
  /** The bead's title, when known. */
  readonly beadTitle?: string | undefined;
  /** The title the program set (OSC 2), when no bead is assigned. */
  readonly programTitle?: string | undefined;
}

/** Cuts plain text to `width` cells, with an ellipsis when it had to cut (render/cells.ts's `fitCells`). */
export const truncate = fitCells;

/**
 * A pane's title bar, exactly `width` cells: " 2 nux · ct-a3f8 Fix the parser   WORKING  polecat/nux/ct-a3f8 ".
 * Left: number, polecat, bead id and title (cut first when space is short); right: the witness's
 * status badge and the branch (dropped when there is no room). Markers for zoom and copy mode.
 * The bead's title comes from the journal and the program's title from its OSC 2, names and
 * branches from polecat records: every one is drawn with its control characters made visible.
 */
export function titleBar(input: TitleBarInput, palette: ChromePalette): string {
  const { width } = input;
  const pane = { ...input.pane, polecat: visibleLine(input.pane.polecat), branch: input.pane.branch && visibleLine(input.pane.branch), bead: input.pane.bead && visibleLine(input.pane.bead) };
  const beadTitle = input.beadTitle && visibleLine(input.beadTitle);
  const programTitle = input.programTitle && visibleLine(input.programTitle);
  const base = input.focused ? palette.titleFocused : palette.title;
  const markers = `${input.zoomed ? ' [zoom]' : ''}${input.copyMode ? ' [copy]' : ''}`;
  const status = visibleLine(pane.exitCode !== undefined && pane.exitCode !== null && pane.status === 'exited' ? `exited ${pane.exitCode}` : pane.status);
  const badgeText = ` ${status.toUpperCase()} `;
  const branch = pane.branch ? ` ${pane.branch} ` : '';
  // A polecat that needs a person is flagged before its number, as tmux flags a window's bell.
  const flag = pane.status === 'waiting' || pane.status === 'stuck' ? '!' : ' ';
  const head = `${flag}${input.number} ${pane.polecat}`;
  const bead = pane.bead ? ` · ${pane.bead}${beadTitle ? ` ${beadTitle}` : ''}` : programTitle ? ` · ${programTitle}` : '';
  let right = badgeText + branch;
  if (textWidth(head + markers) + textWidth(right) + 1 > width) right = badgeText;
  if (textWidth(head + markers) + textWidth(right) + 1 > width) right = '';
  const leftRoom = width - textWidth(right);
  const left = truncate(head + markers + truncate(bead, Math.max(0, leftRoom - textWidth(head + markers) - 1)), leftRoom);
  const gap = Math.max(0, width - textWidth(left) - textWidth(right));
  let out = base + left + ' '.repeat(gap);
  if (right) {
    const badgeStyle = palette.badge[pane.status] ?? palette.title;
    out += SGR_RESET + badgeStyle + badgeText + SGR_RESET + base + right.slice(badgeText.length);
  }
  return out + SGR_RESET;
}
