import { checkAddress } from '../../model/address.js';
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
        ...(options.to !== undefined ? { to: options.to } : {}),
        ...(options.subject !== undefined ? { subject: options.subject } : {}),
        ...(body !== undefined ? { body } : {}),
        ...(options.replyTo !== undefined ? { replyTo: options.replyTo } : {}),
      }),
    ),
  );
  if (options.json) context.json(message);
  else context.out(`${message.id}\n`);
}

/** `mail inbox`: the reader's messages, newest first. */
export function inboxAction(context: CliContext, options: { for?: string; unread?: boolean; json?: boolean }): void {
  const town = context.town();
  const reader = options.for === undefined ? town.actor : checkAddress(options.for);
  const messages = inbox(beadsOf(town.journal.read()), reader, { unread: options.unread ?? false });
  if (options.json) context.json(messages);
  else context.out(inboxText(messages, reader));
}

/** `mail read`: prints a message and marks it read for the actor. */
export async function readAction(context: CliContext, id: string, options: { json?: boolean }): Promise<void> {
  const { town, model } = workSession(context);
  const { value: message } = await town.journal.mutate(transact(model, (tx) => tx.markRead(id)));
  if (options.json) {
    context.json(message);
    return;
  }
  const state = town.journal.read();
  context.out(messageText(getBead(state, message.id), threadOf(beadsOf(state), message.thread ?? message.id)));
}
