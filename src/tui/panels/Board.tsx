import { Box, Text } from 'ink';
import { countRender } from './render-count.js';
import { memo } from 'react';
import { groupTitles, type BoardLayout, type BoardRow } from '../state/board-groups.js';
import { cursorIndex, scrollTop, type ListCursor } from '../state/list-cursor.js';
import type { BeadView } from '../state/types.js';
import type { Theme } from '../theme/theme.js';
import type { ThemeToken } from '../theme/tokens.js';
import { Line, type Segment } from './Line.js';
import { innerRows, Panel } from './Panel.js';
import { cutCells, padCells, textWidth } from '../render/cells.js';
import { oneLine } from './text-fit.js';

export interface BoardProps {
  /** The grouped (and filtered) board: see state/board-groups.ts. */
  readonly board: BoardLayout;
  readonly cursor: ListCursor;
  /** The filter line as typed, shown in the title when set. */
  readonly filter: string;
  readonly width: number;
  readonly height: number;
  readonly focused: boolean;
  readonly theme: Theme;
  /** The scheduler's notes per bead id (what it takes next, who holds a resource). */
  readonly notes?: ReadonlyMap<string, string> | undefined;
  /** The first row shown: `state.windows` (list-windows.ts); the selection is kept in view from it. */
  readonly top?: number | undefined;
  /** Whether a bead was drawn in another town (its id's town tag: federation/provenance.ts `drawnElsewhere`): a dim ↓ after its id. */
  readonly elsewhere?: ((id: string) => boolean) | undefined;
}

/**
 * The board: ready queue, in progress (with who holds each), blocked (with what blocks it),
 * recently closed. Virtualized: only the rows in the window are rendered, so 10k beads cost
 * what 40 do; the window scrolls only when the selection leaves it.
 */
function BoardView({ board, cursor, filter, width, height, focused, theme, notes, top: from = 0, elsewhere }: BoardProps) {
  countRender('Board');
  const rows = innerRows(height);
  const selected = cursorIndex(cursor, board.order);
  const selectedRow = selected >= 0 ? (board.rowOf[selected] ?? 0) : 0;
  // Keep the section header above the first bead in view when at the top.
  const top = selected === 0 ? 0 : scrollTop(selectedRow, rows, board.rows.length, from);
  const visible = board.rows.slice(top, top + rows);
  // Ids differ in length (ct-a3f8, ct-a3f8.12): pad them to the widest in view, so types and titles
  // align; a bead drawn in another town takes two cells more (its marker, inside the id's column).
  const idWidth = Math.max(0, ...visible.map((row) => (row.kind === 'bead' ? textWidth(row.bead.id) + (elsewhere?.(row.bead.id) ? 2 : 0) : 0)));
  const { ready, working, blocked } = board.counts;
  const info = filter ? `/${filter}  ${board.order.length} shown` : `${ready} ready · ${working} working · ${blocked} blocked`;
  return (
    <Panel title="Board" info={info} width={width} height={height} focused={focused} theme={theme}>
      {board.order.length === 0 ? (
        <Text color={theme.colors['text.dim']}>{filter ? 'nothing matches the filter (x clears it)' : 'no beads yet: n creates one'}</Text>
      ) : (
        <Box flexDirection="column">
          {visible.map((row, i) => (
            <BoardLine key={row.kind === 'bead' ? row.bead.id : `h-${row.group}`} row={row} width={width - 2} idWidth={idWidth} selected={top + i === selectedRow && focused} theme={theme} note={row.kind === 'bead' ? notes?.get(row.bead.id) : undefined} foreign={row.kind === 'bead' && (elsewhere?.(row.bead.id) ?? false)} />
          ))}
        </Box>
      )}
    </Panel>
  );
}

const BoardLine = memo(function BoardLine({ row, width, idWidth, selected, theme, note, foreign }: { row: BoardRow; width: number; idWidth: number; selected: boolean; theme: Theme; note?: string | undefined; foreign?: boolean }) {
  countRender(row.kind === 'bead' ? 'BoardLine' : 'BoardHeader');
  if (row.kind === 'header') {
    return <Line width={width} theme={theme} segments={[{ text: `${groupTitles[row.group]} (${row.pending ? '…' : row.count})`, color: theme.colors['panel.section'], bold: true }]} />;
  }
  return <Line width={width} theme={theme} selected={selected} segments={beadSegments(row.bead, row.group, row.blockers, theme, idWidth, note, foreign)} />;
});

/**
 * The segments of a bead's row: priority, id, type, title, then what matters for its section. A
 * bead drawn in another town (`foreign`) has a dim ↓ after its id, within the id column's width.
 */
export function beadSegments(bead: BeadView, group: BoardRow['group'], blockers: readonly string[], theme: Theme, idWidth = 0, note?: string, foreign = false): Segment[] {
  const closed = group === 'closed';
  const priority = Math.min(4, Math.max(0, bead.priority));
  const segments: Segment[] = [
    { text: `P${priority} `, color: closed ? theme.colors['bead.closed'] : theme.colors[`bead.priority.${priority}` as ThemeToken], bold: priority <= 1 && !closed },
    ...(foreign
      ? [
          { text: bead.id, color: closed ? theme.colors['bead.closed'] : theme.colors['bead.id'] },
          { text: `${padCells(' ↓', idWidth - textWidth(bead.id))} `, color: theme.colors['text.dim'] },
        ]
      : [{ text: `${padCells(bead.id, idWidth)} `, color: closed ? theme.colors['bead.closed'] : theme.colors['bead.id'] }]),
    { text: `${padCells(cutCells(bead.type, 7), 7)} `, color: theme.colors['bead.type'], dim: closed },
    { text: oneLine(bead.title), color: closed ? theme.colors['bead.closed'] : theme.colors['text.normal'] },
  ];
  if (group === 'working' && bead.assignee) segments.push({ text: `  @${bead.assignee}`, color: theme.colors['bead.assignee'] });
  if (group === 'blocked') {
    segments.push({ text: blockers.length ? `  ⟵ ${blockers.join(' ')}` : '  (blocked)', color: theme.colors['bead.blocker'] });
  }
  if (closed && bead.close_reason) segments.push({ text: `  — ${oneLine(bead.close_reason)}`, color: theme.colors['text.dim'] });
  if (note && !closed) segments.push({ text: `  ${note}`, color: theme.colors['bead.assignee'] });
  if (!closed && bead.labels?.length) segments.push({ text: `  ${bead.labels.map((l) => `#${l}`).join(' ')}`, color: theme.colors['bead.label'] });
  return segments;
}

/** Memoized: a render of the panels that leaves its props alone (a j/k on another list) skips it. */
export const Board = memo(BoardView);
