import { Text } from 'ink';
import type { TownCounts } from '../state/town-counts.js';
import type { Theme } from '../theme/theme.js';
import { Line, type Segment } from './Line.js';
import { cutCells, textWidth } from '../render/cells.js';

export interface StatusLineProps {
  readonly town: string;
  readonly counts: TownCounts;
  /** The prefix key in tmux notation ("C-b"), for the hint. */
  readonly prefixKey: string;
  /** True while the prefix was pressed and the next key is a command. */
  readonly prefixArmed?: boolean | undefined;
  /** The time to show ("14:03"); the shell ticks it once a minute. */
  readonly time: string;
  /** The last notice (a command's result or failure). */
  /** The scheduler's words (`sched running 2/3 · next ct-a3f8`), when it runs or is paused. */
  readonly scheduler?: string | null | undefined;
  readonly notice?: { readonly text: string; readonly level: 'busy' | 'info' | 'error' } | null | undefined;
  readonly width: number;
  readonly theme: Theme;
}

/** One line at the bottom: town, counts (ready, working, waiting, merging, unread), the prefix hint, the time. */
export function StatusLine({ town, counts, prefixKey, prefixArmed, time, scheduler, notice, width, theme }: StatusLineProps) {
  const c = theme.colors;
  const bg = c['status.bar.bg'];
  const fg = c['status.bar.fg'];
  const count = (n: number, label: string, color: string | undefined): Segment[] => [
    { text: String(n), color: n ? color : fg, bold: n > 0 },
    { text: ` ${label}  `, color: fg },
  ];
  const right = `${prefixArmed ? `${prefixKey} …` : `${prefixKey} ? help`}  ${time} `;
  const left: Segment[] = [
    { text: ` ${town} `, color: c['status.town'], bold: true },
    { text: '│ ', color: fg },
    ...count(counts.ready, 'ready', c['status.count']),
    ...count(counts.working, 'working', c['status.working']),
    ...count(counts.waiting, 'waiting', c['status.waiting']),
    ...count(counts.merging, 'merging', c['lane.merging']),
    { text: '✉ ', color: counts.unread ? c['status.unread'] : fg },
    ...count(counts.unread, 'unread', c['status.unread']),
  ];
  if (scheduler) left.push({ text: `│ ${scheduler}  `, color: fg });
  if (notice) {
    const color = notice.level === 'error' ? c['notice.error'] : notice.level === 'busy' ? c['notice.busy'] : c['notice.info'];
    left.push({ text: `│ ${notice.text} `, color });
  }
  const leftWidth = Math.max(0, width - textWidth(right));
  return (
    <Text backgroundColor={bg} wrap="truncate">
      <Line width={leftWidth} theme={theme} segments={left} pad />
      <Text color={prefixArmed ? c['status.prefix'] : c['status.time']} bold={prefixArmed}>
        {cutCells(right, width)}
      </Text>
    </Text>
  );
}
