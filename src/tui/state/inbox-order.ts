import { isForMe } from './town-counts.js';
import type { MailView } from './types.js';

/** The overseer's inbox: mail to them (or to everyone), newest first. */
export function inboxFor(mail: readonly MailView[], me: string): MailView[] {
  return mail.filter((m) => isForMe(m, me)).sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : a.id < b.id ? 1 : -1));
}

/** "Re: subject", without stacking prefixes. */
export function replySubject(subject: string): string {
  return /^re:/i.test(subject) ? subject : `Re: ${subject}`;
}
