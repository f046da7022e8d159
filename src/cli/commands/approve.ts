import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `citadel approve MR [--note TEXT]`: a person's approval of a merge request (docs/refinery.md, "Review"). */
export function register(program: Command, context: CliContext): void {
  program
    .command('approve')
    .description('approve a merge request in review (config review: "required"): a validation record by your address; the refinery lands it once its gates pass')
    .argument('<mr>', 'the merge request (see `citadel refinery status`)')
    .option('--note <text>', 'what you say about it (kept in the record, shown in the polecat\'s CV)')
    .option('--json', 'print {merge_request, validation} as JSON')
    .action(async (mr: string, options: { note?: string; json?: boolean }) => {
      await (await import('../work/review-action.js')).approveAction(context, mr, options);
    });
}
