import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notYet } from './not-yet.js';

export function register(program: Command, _context: CliContext): void {
  program.command('nudge').description('type text (and Enter) into the pty of a polecat').allowUnknownOption().allowExcessArguments().action(notYet('nudge'));
}
