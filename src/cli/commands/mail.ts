import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `citadel mail send|inbox|read` (docs/model.md, "Mail"). */
export function register(program: Command, context: CliContext): void {
  const mail = program.command('mail').description('durable messages between the overseer, the polecats and the refinery');
  const actions = () => import('../work/mail-actions.js');

  mail
    .command('send')
    .description('send a message; prints its id')
    .option('--to <address>', 'overseer, refinery, @all, or a polecat’s name (default with --reply-to: the sender)')
    .option('--subject <text>', 'one line (default with --reply-to: "Re: …")')
    .option('--body <text>', 'the message')
    .option('--body-file <file>', 'read the message from FILE, or - for standard input')
    .option('--reply-to <id>', 'the message this answers (the reply joins its thread)')
    .option('--json', 'print the message bead as JSON')
    .action(async (options: Parameters<Awaited<ReturnType<typeof actions>>['sendAction']>[1]) => {
      await (await actions()).sendAction(context, options);
    });

  mail
    .command('inbox')
    .description('messages to you (or to ADDR), newest first; * marks unread')
    .option('--for <address>', 'whose inbox (default: you)')
    .option('--unread', 'only unread messages')
    .option('--limit <n>', 'at most N messages, the newest (default 50)')
    .option('--all', 'every message')
    .option('--json', 'print a JSON array of message beads')
    .action(async (options: { for?: string; unread?: boolean; limit?: string; all?: boolean; json?: boolean }) => {
      await (await actions()).inboxAction(context, options);
    });

  mail
    .command('read')
    .description('print a message and mark it read for you')
    .argument('<id>', 'the message')
    .option('--json', 'print the message bead as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      await (await actions()).readAction(context, id, options);
    });
}
