import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notYet } from './not-yet.js';

export function register(program: Command, _context: CliContext): void {
  program.command('ready').description('the ready queue: open, unblocked, unclaimed beads by priority, then age').allowUnknownOption().allowExcessArguments().action(notYet('ready'));
}
