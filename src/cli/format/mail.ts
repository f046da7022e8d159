import { visibleLine, visibleText } from '../../common/visible-text.js';
import type { Bead } from '../../model/bead.js';
import { isUnread } from '../../model/mail.js';
import { table } from './table.js';
import { shortTime } from './time.js';

/**
 * An inbox, newest first: a `*` marks what `reader` has not read. `whole` (when `messages` is a
 * page of it) gives the inbox's counts: the header says them, and a last line how to see more.
 */
export function inboxText(messages: readonly Bead[], reader: string, whole?: { total: number; unread: number; unreadOnly: boolean }): string {
  // A list stays compact (bare names); `mail read` and --json carry the addresses.
  const whose = visibleLine(reader);
  if (messages.length === 0) return `No mail for ${whose}.\n`;
  const total = whole ? whole.total : messages.length;
  const unread = whole ? whole.unread : messages.filter((m) => isUnread(m, reader)).length;
  const rows = messages.map((m) => [isUnread(m, reader) ? '*' : ' ', m.id, shortTime(m.created_at), `from ${m.from ?? '?'}`, m.to === '@all' ? `${m.subject || m.title}  (to @all)` : (m.subject ?? m.title)]);
  const listed = whole ? (whole.unreadOnly ? whole.unread : whole.total) : messages.length;
  const more = listed > messages.length ? `(the newest ${messages.length} of ${listed}: --limit N or --all for more)\n` : '';
  return `${total} message${total === 1 ? '' : 's'} for ${whose}, ${unread} unread:\n${table(rows)}${more}`;
}

/**
 * One message in full, with its place in its thread; `address` (when given) adds each party's
 * entity address after its name: `from:      nux  <entity://citadel/town/nux>`.
 */
export function messageText(message: Bead, thread: readonly Bead[], address?: (name: string) => string): string {
  const party = (name: string | undefined): string => {
    if (!name) return '?';
    const full = address?.(name);
    return full && full !== name ? `${name}  <${full}>` : name;
  };
  const lines = [
    `${message.id}  ${message.subject ?? message.title}`,
    `from:      ${party(message.from)}`,
    `to:        ${party(message.to)}`,
    `sent:      ${shortTime(message.created_at)}`,
  ];
  if (message.reply_to) lines.push(`reply to:  ${message.reply_to}`);
  if (thread.length > 1) lines.push(`thread:    ${message.thread} (${thread.length} messages: ${thread.map((m) => m.id).join(', ')})`);
  // The header lines are one line each whatever they hold; the body keeps its own lines.
  const shown = lines.map(visibleLine);
  shown.push('', message.body.trim() ? visibleText(message.body.replace(/\s+$/, '')) : '(no body)');
  return `${shown.join('\n')}\n`;
}
