import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notYet } from './not-yet.js';

/** `citadel hook EVENT`: called by agents' own hooks to report their status (hidden). */
export function register(program: Command, _context: CliContext): void {
  program.command('hook', { hidden: true }).description('agent status hooks').allowUnknownOption().allowExcessArguments().action(notYet('hook'));
}
