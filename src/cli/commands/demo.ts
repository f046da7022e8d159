import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notYet } from './not-yet.js';

export function register(program: Command, _context: CliContext): void {
  program.command('demo').description('make a demo town run by the scripted agent, and open it').allowUnknownOption().allowExcessArguments().action(notYet('demo'));
}
