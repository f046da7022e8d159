import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `citadel ready`: open, unblocked, unclaimed beads, by priority then age (docs/model.md). */
export function register(program: Command, context: CliContext): void {
  program
    .command('ready')
    .description('the ready queue: open, unblocked, unclaimed beads, by priority then age')
    .option('--limit <n>', 'at most N beads (default 50)')
    .option('--all', 'every ready bead')
    .option('--json', 'print a JSON array of beads')
    .action(async (options: { limit?: string; all?: boolean; json?: boolean }) => {
      const { readyAction } = await import('../work/ready-action.js');
      readyAction(context, options);
    });
}
