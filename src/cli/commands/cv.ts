import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notYet } from './not-yet.js';

export function register(program: Command, _context: CliContext): void {
  program.command('cv').description('the work history of an actor from the journal').allowUnknownOption().allowExcessArguments().action(notYet('cv'));
}
