import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notYet } from './not-yet.js';

export function register(program: Command, _context: CliContext): void {
  program.command('prime').description('what an agent needs at the start of a session').allowUnknownOption().allowExcessArguments().action(notYet('prime'));
}
