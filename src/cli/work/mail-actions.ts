import { addressOf, checkAddress, localName } from '../../model/address.js';
import type { Bead } from '../../model/bead.js';
import { inbox, threadOf } from '../../model/mail.js';
import { beadsOf, getBead } from '../../model/query.js';
import { transact } from '../../model/transaction.js';
import type { CliContext } from '../context.js';
import { inboxText, messageText } from '../format/mail.js';
import { bodyOption } from './input.js';
import { workSession } from './session.js';

/** `mail send`. */
export async function sendAction(
  context: CliContext,
  options: { to?: string; subject?: string; body?: string; bodyFile?: string; replyTo?: string; json?: boolean },
): Promise<void> {
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

/** `mail inbox`: the reader's messages, newest first. */
export function inboxAction(context: CliContext, options: { for?: string; unread?: boolean; json?: boolean }): void {
  const town = context.town();
  const reader = options.for === undefined ? town.actor : checkAddress(localName(options.for, town.config.name));
  const messages = inbox(beadsOf(town.journal.read()), reader, { unread: options.unread ?? false });
  if (options.json) context.json(messages.map((message) => withAddresses(message, town.config.name)));
  else context.out(inboxText(messages, reader));
}

/** `mail read`: prints a message and marks it read for the actor. */
export async function readAction(context: CliContext, id: string, options: { json?: boolean }): Promise<void> {
  const { town, model } = workSession(context);
  const { value: message } = await town.journal.mutate(transact(model, (tx) => tx.markRead(id)));
  if (options.json) {
    context.json(withAddresses(message, town.config.name));
    return;
  }
  const state = town.journal.read();
  context.out(messageText(getBead(state, message.id), threadOf(beadsOf(state), message.thread ?? message.id), (name) => addressOf(town.config.name, name)));
}
