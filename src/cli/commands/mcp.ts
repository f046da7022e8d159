import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { notYet } from './not-yet.js';

export function register(program: Command, _context: CliContext): void {
  program.command('mcp').description('an MCP server on stdio for agents').allowUnknownOption().allowExcessArguments().action(notYet('mcp'));
}
