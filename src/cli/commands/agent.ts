import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notYet } from './not-yet.js';

/** `citadel agent scripted`: the built-in scripted agent (hidden; run by the `scripted` preset). */
export function register(program: Command, _context: CliContext): void {
  program.command('agent', { hidden: true }).description('built-in agents').allowUnknownOption().allowExcessArguments().action(notYet('agent'));
}
