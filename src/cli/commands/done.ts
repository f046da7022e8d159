import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notYet } from './not-yet.js';

export function register(program: Command, _context: CliContext): void {
  program.command('done').description('from inside a polecat: submit its branch to the refinery').allowUnknownOption().allowExcessArguments().action(notYet('done'));
}
