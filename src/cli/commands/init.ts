import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notYet } from './not-yet.js';

export function register(program: Command, _context: CliContext): void {
  program.command('init').description('make the current git repository a town (.citadel/); idempotent').allowUnknownOption().allowExcessArguments().action(notYet('init'));
}
