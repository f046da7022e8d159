import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notYet } from './not-yet.js';

/** Bare `citadel`: open the workstation (the TUI). */
export function register(program: Command, _context: CliContext): void {
  program.action(notYet('(workstation)'));
}
