import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notYet } from './not-yet.js';

export function register(program: Command, _context: CliContext): void {
  program.command('bead').description('create, show, list, update, close, link, import and export beads').allowUnknownOption().allowExcessArguments().action(notYet('bead'));
}
