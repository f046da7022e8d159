import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { CvOptions } from '../work/cv-action.js';

/** `citadel cv [ACTOR]`: an actor's work history, derived from the journal (docs/model.md, "CV"). */
export function register(program: Command, context: CliContext): void {
  program
    .command('cv')
    .description('an actor’s work history from the journal: created, claimed, finished, merged, bounced, skills, quality')
    .argument('[actor]', 'a polecat’s name, overseer, refinery… (default: you)')
    .option('--recent <n>', 'how many chain entries to show (default 10)')
    .option('--agent <name>', 'an agent\'s CV instead: every polecat it ran (what the scheduler routes by)')
    .option('--export <file>', 'write the actor’s portable CV: its records, their hashes and the path to the town’s head (docs/journal.md, "Portable CV")')
    .option('--sign <key>', 'with --export: sign the head with this SSH private key (ssh-keygen -Y sign)')
    .option('--principal <id>', 'with --sign: the signer’s name as in allowed-signers files (e.g. an email); with --verify: the principal to check')
    .option('--verify <file>', 'check a portable CV offline: against this town’s head, or with --allowed-signers against its signed head')
    .option('--allowed-signers <file>', 'with --verify: an ssh-keygen allowed-signers file the head’s signature must match')
    .option('--json', 'print the CV as JSON')
    .action(async (actor: string | undefined, options: CvOptions) => {
      const { cvAction } = await import('../work/cv-action.js');
      await cvAction(context, actor, options);
    });
}
