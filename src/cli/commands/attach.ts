import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notYet } from './not-yet.js';

export function register(program: Command, _context: CliContext): void {
  program.command('attach').description('attach to the running daemon session').allowUnknownOption().allowExcessArguments().action(notYet('attach'));
}
