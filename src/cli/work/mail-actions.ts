import { addressOf, checkAddress, localName } from '../../model/address.js';
import type { Bead } from '../../model/bead.js';
import type { CliContext } from '../context.js';

// Each action imports what only it uses (agents send and list mail many times a minute): `mail
// send` never loads the mail formatting, `mail inbox` never the transaction code (docs/cli.md, "Startup").

/** `mail send`. */
export async function sendAction(
  context: CliContext,
  options: { to?: string; subject?: string; body?: string; bodyFile?: string; replyTo?: string; json?: boolean },
): Promise<void> {
  const [{ bodyOption }, { workSession }, { transact }] = await Promise.all([import('./input.js'), import('./session.js'), import('../../model/transaction.js')]);
  const body = bodyOption(options, context.cwd);
  const { town, model } = workSession(context);
  const { value: message } = await town.journal.mutate(
    transact(model, (tx) =>
      tx.sendMail({
        ...(options.to !== undefined ? { to: localName(options.to, town.config.name) } : {}),
        ...(options.subject !== undefined ? { subject: options.subject } : {}),
        ...(body !== undefined ? { body } : {}),
        ...(options.replyTo !== undefined ? { replyTo: options.replyTo } : {}),
      }),
    ),
  );
  if (options.json) context.json(withAddresses(message, town.config.name));
  else context.out(`${message.id}\n`);
}

/**
 * A message as `--json` prints it: the bead, plus `from_address` and `to_address`, the
 * sender's and recipient's `entity://citadel/<town>/<name>` (`@all` stays `@all`).
 */
export function withAddresses(message: Bead, town: string): Bead & { from_address: string | null; to_address: string | null } {
  return { ...message, from_address: message.from ? addressOf(town, message.from) : null, to_address: message.to ? addressOf(town, message.to) : null };
}

/**
 * `mail inbox`: the reader's messages, newest first, a page of them unless `--all` (through the
 * query index: only those to the reader or to everyone, read until the page is full).
 */
export async function inboxAction(context: CliContext, options: { for?: string; unread?: boolean; limit?: string; all?: boolean; json?: boolean }): Promise<void> {
  const [{ inbox, inboxCounts }, { beadsOf }, { pageSize }] = await Promise.all([import('../../model/mail.js'), import('../../model/query.js'), import('./input.js')]);
  const limit = pageSize(options);
  const town = context.town();
  const reader = options.for === undefined ? town.actor : checkAddress(localName(options.for, town.config.name));
  const beads = beadsOf(town.journal.read());
  const messages = inbox(beads, reader, { unread: options.unread ?? false, ...(limit === undefined ? {} : { limit }) });
  if (options.json) {
    context.json(messages.map((message) => withAddresses(message, town.config.name)));
    return;
  }
  // The header counts the whole inbox (counted in the index, not read) when the page is full.
  const counts = limit !== undefined && messages.length >= limit ? inboxCounts(beads, reader) : undefined;
  context.out((await import('../format/mail.js')).inboxText(messages, reader, counts && { ...counts, unreadOnly: options.unread ?? false }));
}

/** `mail read`: prints a message and marks it read for the actor. */
export async function readAction(context: CliContext, id: string, options: { json?: boolean }): Promise<void> {
  const [{ workSession }, { transact }] = await Promise.all([import('./session.js'), import('../../model/transaction.js')]);
  const { town, model } = workSession(context);
  const { value: message } = await town.journal.mutate(transact(model, (tx) => tx.markRead(id)));
  if (options.json) {
    context.json(withAddresses(message, town.config.name));
    return;
  }
  const [{ threadOf }, { beadsOf, getBead }, { messageText }] = await Promise.all([import('../../model/mail.js'), import('../../model/query.js'), import('../format/mail.js')]);
  const state = town.journal.read();
  context.out(messageText(getBead(state, message.id), threadOf(beadsOf(state), message.thread ?? message.id), (name) => addressOf(town.config.name, name)));
}
