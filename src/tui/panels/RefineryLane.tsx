import { memo } from 'react';
import { countRender } from './render-count.js';
import { Box, Text } from 'ink';
import { cursorIndex, scrollTop, type ListCursor } from '../state/list-cursor.js';
import { currentRequest } from '../state/lane-order.js';
import { laneRows } from '../state/list-windows.js';
import type { MergeRequestView } from '../state/types.js';
import type { Theme } from '../theme/theme.js';
import type { ThemeToken } from '../theme/tokens.js';
import { Line } from './Line.js';
import { innerRows, Panel } from './Panel.js';
import { oneLine } from './text-fit.js';

export interface RefineryLaneProps {
  /** Merge requests in lane order (state/lane-order.ts). */
  readonly requests: readonly MergeRequestView[];
  readonly cursor: ListCursor;
  /** The id whose details are expanded (Enter), if any. */
  readonly open?: string | undefined;
  /** The last lines of the current merge request's gate log. */
  readonly gateTail: readonly string[];
  readonly width: number;
  readonly height: number;
  readonly focused: boolean;
  readonly theme: Theme;
  /** The first row shown: `state.windows` (list-windows.ts); the selection is kept in view from it. */
  readonly top?: number | undefined;
}

const stateMarks: Record<string, string> = { queued: '·', merging: '⇄', testing: '⚙', merged: '✓', rejected: '✗' };

/**
 * The refinery lane: merge requests with their state (queued, merging, testing, merged,
 * rejected with the reason), and under them the current one's gate output, tailing live.
 */
function RefineryLaneView({ requests, cursor, open, gateTail, width, height, focused, theme, top: from = 0 }: RefineryLaneProps) {
  countRender('RefineryLane');
  const inner = width - 2;
  const rows = innerRows(height);
  const current = currentRequest(requests);
  const order = requests.map((r) => r.id);
  const selected = cursorIndex(cursor, order);
  const expanded = open ? requests.find((r) => r.id === open) : undefined;
  // The gate tail gets up to half the panel while something is being tested.
  const { listRows, tailRows } = laneRows(rows, current !== undefined, gateTail.length, expanded !== undefined);
  const top = scrollTop(Math.max(0, selected), listRows, requests.length, from);
  const queued = requests.filter((r) => r.state === 'queued').length;
  const info = current ? `${current.state} ${current.branch} · ${queued} queued` : `${queued} queued`;
  const c = theme.colors;
  return (
    <Panel title="Refinery" info={info} width={width} height={height} focused={focused} theme={theme}>
      {requests.length === 0 ? (
        <Text color={c['text.dim']}>no merge requests: a polecat's `citadel done` queues one</Text>
      ) : (
        <Box flexDirection="column">
          {requests.slice(top, top + listRows).map((r, i) => (
            <Line
              key={r.id}
              width={inner}
              theme={theme}
              selected={focused && top + i === selected}
              segments={[
                { text: `${stateMarks[r.state] ?? '?'} ${r.state.padEnd(8)} `, color: c[`lane.${r.state}` as ThemeToken] ?? c['text.normal'], bold: r === current },
                { text: `${r.id} `, color: c['bead.id'] },
                { text: r.branch, color: c['text.normal'] },
                { text: `  @${r.polecat}`, color: c['bead.assignee'] },
                ...(r.bead ? [{ text: ` ${r.bead}`, color: c['bead.id'] }] : []),
                ...(r === current && r.refinery?.stage ? [{ text: `  ${oneLine(r.refinery.stage)}`, color: c['lane.testing'] }] : []),
                ...(r.state === 'queued' && r.refinery?.held ? [{ text: `  — held: ${oneLine(r.refinery.held)}`, color: c['lane.queued'] }] : []),
                ...(r.state === 'rejected' && r.reason ? [{ text: `  — ${oneLine(r.reason)}`, color: c['lane.rejected'] }] : []),
              ]}
            />
          ))}
          {expanded ? (
            <>
              <Line width={inner} theme={theme} segments={[{ text: `${expanded.id}: ${expanded.title}`, color: c['text.normal'], bold: true }]} />
              <Line
                width={inner}
                theme={theme}
                segments={[
                  {
                    text: expanded.reason
                      ? `reason: ${oneLine(expanded.reason)}`
                      : expanded.refinery?.conflicts?.length
                        ? `conflicts: ${expanded.refinery.conflicts.join(' ')}`
                        : `branch ${expanded.branch}, by ${expanded.polecat}${expanded.refinery?.log ? ` · log ${expanded.refinery.log}` : ''}`,
                    color: c['text.dim'],
                  },
                ]}
              />
            </>
          ) : null}
          {tailRows ? (
            <>
              <Line width={inner} theme={theme} segments={[{ text: `gate output (${current?.id ?? ''})`, color: c['panel.section'] }]} />
              {gateTail.slice(-tailRows).map((line, i) => (
                <Line key={`t${i}`} width={inner} theme={theme} segments={[{ text: oneLine(line), color: c['lane.log'] }]} />
              ))}
            </>
          ) : null}
        </Box>
      )}
    </Panel>
  );
}

/** Memoized: a render of the panels that leaves its props alone (a j/k on another list) skips it. */
export const RefineryLane = memo(RefineryLaneView);
