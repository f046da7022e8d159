import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notYet } from './not-yet.js';

export function register(program: Command, _context: CliContext): void {
  program.command('refinery').description('the merge lane: status, or run the worker').allowUnknownOption().allowExcessArguments().action(notYet('refinery'));
}
