import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `citadel prime`: what an agent reads at the start of a session (docs/agents.md). */
export function register(program: Command, context: CliContext): void {
  program
    .command('prime')
    .description('what an agent needs at the start of a session: who it is, its bead and molecule step, how to submit and ask for help')
    .option('--bead <id>', 'the bead to prime for (default: $CITADEL_BEAD, else the polecat’s or your claimed bead)')
    .option('--json', 'print the facts as JSON instead of text')
    .action(async (options: { bead?: string; json?: boolean }) => {
      const { primeFor } = await import('../../agent-cli/prime-for-town.js');
      const town = context.town();
      const { text, context: facts } = primeFor(town, options.bead ?? context.env.CITADEL_BEAD?.trim(), context.env.CITADEL_POLECAT?.trim());
      if (options.json) context.json(facts);
      else context.out(text);
    });
}
