import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `citadel cv [ACTOR]`: an actor's work history, derived from the journal (docs/model.md, "CV"). */
export function register(program: Command, context: CliContext): void {
  program
    .command('cv')
    .description('an actor’s work history from the journal: created, claimed, finished, merged, bounced, skills, quality')
    .argument('[actor]', 'a polecat’s name, overseer, refinery… (default: you)')
    .option('--recent <n>', 'how many chain entries to show (default 10)')
    .option('--agent <name>', 'an agent\'s CV instead: every polecat it ran (what the scheduler routes by)')
    .option('--json', 'print the CV as JSON')
    .action(async (actor: string | undefined, options: { recent?: string; json?: boolean; agent?: string }) => {
      const { cvAction } = await import('../work/cv-action.js');
      await cvAction(context, actor, options);
    });
}
