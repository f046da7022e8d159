import { visibleLine, visibleText } from '../../common/visible-text.js';
import type { Bead } from '../../model/bead.js';
import { isUnread } from '../../model/mail.js';
import { table } from './table.js';
import { shortTime } from './time.js';

/** An inbox, newest first: a `*` marks what `reader` has not read. */
export function inboxText(messages: readonly Bead[], reader: string): string {
  if (messages.length === 0) return `No mail for ${visibleLine(reader)}.\n`;
  const unread = messages.filter((m) => isUnread(m, reader)).length;
  const rows = messages.map((m) => [isUnread(m, reader) ? '*' : ' ', m.id, shortTime(m.created_at), `from ${m.from ?? '?'}`, m.to === '@all' ? `${m.subject ?? m.title}  (to @all)` : (m.subject ?? m.title)]);
  return `${messages.length} message${messages.length === 1 ? '' : 's'} for ${visibleLine(reader)}, ${unread} unread:\n${table(rows)}`;
}

/** One message in full, with its place in its thread. */
export function messageText(message: Bead, thread: readonly Bead[]): string {
  const lines = [
    `${message.id}  ${message.subject ?? message.title}`,
    `from:      ${message.from ?? '?'}`,
    `to:        ${message.to ?? '?'}`,
    `sent:      ${shortTime(message.created_at)}`,
  ];
  if (message.reply_to) lines.push(`reply to:  ${message.reply_to}`);
  if (thread.length > 1) lines.push(`thread:    ${message.thread} (${thread.length} messages: ${thread.map((m) => m.id).join(', ')})`);
  // The header lines are one line each whatever they hold; the body keeps its own lines.
  const shown = lines.map(visibleLine);
  shown.push('', message.body.trim() ? visibleText(message.body.replace(/\s+$/, '')) : '(no body)');
  return `${shown.join('\n')}\n`;
}
