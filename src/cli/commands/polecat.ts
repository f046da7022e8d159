import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notYet } from './not-yet.js';

export function register(program: Command, _context: CliContext): void {
  program.command('polecat').description('list, kill, restart or peek at polecats').allowUnknownOption().allowExcessArguments().action(notYet('polecat'));
}
