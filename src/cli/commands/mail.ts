import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notYet } from './not-yet.js';

export function register(program: Command, _context: CliContext): void {
  program.command('mail').description('send, list and read mail between the overseer, polecats and the refinery').allowUnknownOption().allowExcessArguments().action(notYet('mail'));
}
