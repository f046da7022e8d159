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

/**
 * One line at the bottom: town, counts (ready, working, waiting, merging, unread), the prefix
 * hint, the time. When it does not fit, the least useful parts go first: the help hint, then
 * the scheduler and the notice (the message line has them too), then the counts get short
 * (`1 wait 3 rdy 2 wrk ✉5 4 mrg`: waiting first, zeros dropped but ready's), then the time; the
 * town's name is kept (cut to half the line at most).
 */
export function StatusLine({ town, counts, prefixKey, prefixArmed, time, scheduler, notice, width, theme }: StatusLineProps) {
  const c = theme.colors;
  const bg = c['status.bar.bg'];
  const fg = c['status.bar.fg'];
  const count = (n: number, label: string, color: string | undefined): Segment[] => [
    { text: String(n), color: n ? color : fg, bold: n > 0 },
    { text: ` ${label}  `, color: fg },
  ];
  const full: Segment[] = [
    ...count(counts.ready, 'ready', c['status.count']),
    ...count(counts.working, 'working', c['status.working']),
    ...count(counts.waiting, 'waiting', c['status.waiting']),
    ...count(counts.merging, 'merging', c['lane.merging']),
    { text: '✉ ', color: counts.unread ? c['status.unread'] : fg },
    ...count(counts.unread, 'unread', c['status.unread']),
  ];
  const short = (n: number, label: string, color: string | undefined, always = false): Segment[] =>
    n || always ? [{ text: label === '✉' ? `✉${n}` : String(n), color: n ? color : fg, bold: n > 0 }, ...(label === '✉' ? [] : [{ text: ` ${label}`, color: fg }]), { text: ' ', color: fg }] : [];
  const compact: Segment[] = [
    ...short(counts.waiting, 'wait', c['status.waiting']),
    ...short(counts.ready, 'rdy', c['status.count'], true),
    ...short(counts.working, 'wrk', c['status.working']),
    ...short(counts.unread, '✉', c['status.unread']),
    ...short(counts.merging, 'mrg', c['lane.merging']),
  ];
  const hint = prefixArmed ? `${prefixKey} …` : `${prefixKey} ? help`;
  const extra: Segment[] = [];
  if (scheduler) extra.push({ text: `│ ${scheduler}  `, color: fg });
  if (notice) {
    const color = notice.level === 'error' ? c['notice.error'] : notice.level === 'busy' ? c['notice.busy'] : c['notice.info'];
    extra.push({ text: `│ ${notice.text} `, color });
  }
  const cells = (segments: readonly Segment[]): number => segments.reduce((n, s) => n + textWidth(s.text), 0);
  const townText = ` ${town} `;
  const head = (name: string): Segment[] => [{ text: name, color: c['status.town'], bold: true }, { text: '│ ', color: fg }];
  // The parts, most complete first; the first that fits is drawn (the last is cut if none does).
  const choices: Array<{ left: Segment[]; right: string }> = [
    { left: [...head(townText), ...full, ...extra], right: `${hint}  ${time} ` },
    { left: [...head(townText), ...full], right: prefixArmed ? `${hint}  ${time} ` : `${time} ` },
    { left: [...head(townText), ...compact], right: prefixArmed ? `${hint} ` : `${time} ` },
    { left: [...head(townText), ...compact], right: prefixArmed ? `${hint} ` : '' },
  ];
  const fits = (choice: { left: Segment[]; right: string }): boolean => cells(choice.left) + textWidth(choice.right) <= width;
  // Extras (scheduler, notice) are cut at the end rather than dropping the hint when only they overflow.
  const last = choices[choices.length - 1]!;
  const townRoom = Math.max(4, Math.floor(width / 2));
  const narrow = { left: [...head(textWidth(townText) > townRoom ? ` ${cutCells(town, townRoom - 3)}… ` : townText), ...compact], right: last.right };
  const chosen = fits({ left: [...head(townText), ...full], right: `${hint}  ${time} ` }) ? choices[0]! : choices.slice(1).find(fits) ?? narrow;
  const left = chosen.left;
  const right = chosen.right;
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
