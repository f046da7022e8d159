import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notYet } from './not-yet.js';

export function register(program: Command, _context: CliContext): void {
  program.command('sling').description('hand a bead to a polecat (spawning one if needed)').allowUnknownOption().allowExcessArguments().action(notYet('sling'));
}
