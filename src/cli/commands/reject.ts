import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `citadel reject MR --reason TEXT`: a person's rejection, bounced as a failed gate is (docs/refinery.md, "Review"). */
export function register(program: Command, context: CliContext): void {
  program
    .command('reject')
    .description('reject a merge request in review: a validation record by your address; it bounces as a failed gate does (rework mail, bead handed back)')
    .argument('<mr>', 'the merge request (see `citadel refinery status`)')
    .requiredOption('--reason <text>', 'why: the polecat reworks from it (kept in the record, shown in its CV)')
    .option('--json', 'print {merge_request, state, reason, validation} as JSON')
    .action(async (mr: string, options: { reason?: string; json?: boolean }) => {
      await (await import('../work/review-action.js')).rejectAction(context, mr, options);
    });
}
