import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notYet } from './not-yet.js';

export function register(program: Command, _context: CliContext): void {
  program.command('doctor').description('check the journal and projections; --repair quarantines corruption').allowUnknownOption().allowExcessArguments().action(notYet('doctor'));
}
