import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notYet } from './not-yet.js';

export function register(program: Command, _context: CliContext): void {
  program.command('daemon').description('start, stop or check the town daemon').allowUnknownOption().allowExcessArguments().action(notYet('daemon'));
}
