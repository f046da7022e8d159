import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notYet } from './not-yet.js';

export function register(program: Command, _context: CliContext): void {
  program.command('molecule').description('list, show, pour and follow molecules (workflow templates)').allowUnknownOption().allowExcessArguments().action(notYet('molecule'));
}
