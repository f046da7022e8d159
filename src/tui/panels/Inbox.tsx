import { Box, Text } from 'ink';
import { countRender } from './render-count.js';
import { memo, useMemo } from 'react';
import { cursorIndex, scrollTop, type ListCursor } from '../state/list-cursor.js';
import { isUnread } from '../state/town-counts.js';
import type { MailView } from '../state/types.js';
import type { Theme } from '../theme/theme.js';
import { addressOf } from '../../model/address.js';
import { Line, type Segment } from './Line.js';
import { innerRows, Panel } from './Panel.js';
import { cutCells, padCells } from '../render/cells.js';
import { age, oneLine } from './text-fit.js';
import { wrapText } from './wrap-text.js';

export interface InboxProps {
  /** The inbox, newest first (state/inbox-order.ts). */
  readonly mail: readonly MailView[];
  readonly cursor: ListCursor;
  /** The message being read, with its scroll offset. */
  readonly open?: { readonly id: string; readonly scroll: number } | undefined;
  /** Who reads (unread means not in `read_by`). */
  readonly me: string;
  /** Now, for the ages ("3m"); passed in so renders are deterministic. */
  readonly now: number;
  /** Every message of the town (the open message's thread is drawn under it). */
  readonly allMail?: readonly MailView[] | undefined;
  readonly width: number;
  readonly height: number;
  readonly focused: boolean;
  readonly theme: Theme;
  /** The town's name: an open message shows its sender's and recipient's addresses. */
  readonly townName?: string | undefined;
  /** The first row shown: `state.windows` (list-windows.ts); the selection is kept in view from it. */
  readonly top?: number | undefined;
}

/** The overseer's mail, newest first, unread marked with ●; Enter reads one, r replies, m composes. */
function InboxView({ mail, cursor, open, me, now, allMail, width, height, focused, theme, townName, top: from = 0 }: InboxProps) {
  countRender('Inbox');
  const inner = width - 2;
  const rows = innerRows(height);
  const c = theme.colors;
  const unread = mail.filter((m) => isUnread(m, me)).length;
  const reading = open ? mail.find((m) => m.id === open.id) : undefined;
  const order = useMemo(() => mail.map((m) => m.id), [mail]);
  const selected = cursorIndex(cursor, order);
  const top = scrollTop(Math.max(0, selected), rows, mail.length, from);
  const info = `${unread} unread · ${mail.length}`;
  if (reading) {
    const thread = reading.thread ? (allMail ?? mail).filter((m) => m.thread === reading.thread && m.id !== reading.id) : [];
    const lines = messageLines(reading, thread, inner, theme, townName);
    const from = Math.max(0, Math.min(open?.scroll ?? 0, lines.length - rows));
    return (
      <Panel title={`Mail ${reading.id}`} info="r reply · esc back" width={width} height={height} focused={focused} theme={theme}>
        <Box flexDirection="column">
          {lines.slice(from, from + rows).map((segments, i) => (
            <Line key={from + i} width={inner} theme={theme} segments={segments} />
          ))}
        </Box>
      </Panel>
    );
  }
  return (
    <Panel title="Inbox" info={info} width={width} height={height} focused={focused} theme={theme}>
      {mail.length === 0 ? (
        <Text color={c['text.dim']}>no mail: m composes one</Text>
      ) : (
        <Box flexDirection="column">
          {mail.slice(top, top + rows).map((m, i) => {
            const fresh = isUnread(m, me);
            return (
              <Line
                key={m.id}
                width={inner}
                theme={theme}
                selected={focused && top + i === selected}
                segments={[
                  { text: fresh ? '● ' : '  ', color: c['mail.unread'] },
                  { text: `${age(m.created_at, now).padStart(3)} `, color: c['feed.time'] },
                  { text: `${padCells(cutCells(m.from, 12), 12)} `, color: c['feed.actor'], bold: fresh },
                  { text: oneLine(m.subject), color: fresh ? c['mail.unread'] : c['mail.read'], bold: fresh },
                ]}
              />
            );
          })}
        </Box>
      )}
    </Panel>
  );
}

export function messageLines(mail: MailView, thread: readonly MailView[], width: number, theme: Theme, townName?: string): Segment[][] {
  const c = theme.colors;
  // Compact headers: a panel may be only a few rows tall, and the body is what matters.
  const lines: Segment[][] = [
    [
      { text: mail.from, color: c['feed.actor'], bold: true },
      { text: ' → ', color: c['text.dim'] },
      { text: mail.to, color: c['feed.actor'] },
      { text: `  ${mail.created_at}`, color: c['text.dim'] },
    ],
    // The addresses, dim, on one line (the list stays compact with bare names).
    ...(townName ? [[{ text: `${addressOf(townName, mail.from)} → ${addressOf(townName, mail.to)}`, color: c['text.dim'] }]] : []),
    [{ text: oneLine(mail.subject), color: c['text.normal'], bold: true }],
  ];
  for (const line of wrapText(mail.body ?? '', width)) lines.push([{ text: line, color: c['text.normal'] }]);
  if (thread.length) {
    lines.push([], [{ text: `Thread (${thread.length + 1})`, color: c['panel.section'], bold: true }]);
    const ordered = [...thread, mail].sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
    for (const m of ordered) {
      lines.push([
        { text: m.id === mail.id ? '› ' : '  ', color: c['text.accent'] },
        { text: `${m.from} → ${m.to}: `, color: c['feed.actor'] },
        { text: oneLine(m.subject), color: m.id === mail.id ? c['text.normal'] : c['text.dim'] },
      ]);
    }
  }
  return lines;
}

/** Memoized: a render of the panels that leaves its props alone (a j/k on another list) skips it. */
export const Inbox = memo(InboxView);
