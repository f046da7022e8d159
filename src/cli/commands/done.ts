import type { Command } from 'commander';
import type { CliContext } from '../context.js';

interface DoneOptions {
  bead?: string;
  message?: string;
  json?: boolean;
}

/**
 * `citadel done`: from inside a polecat's worktree, submit its branch to the refinery. A data
 * command: only git (node:child_process) and the model are loaded, never execa or zod.
 */
export function register(program: Command, context: CliContext): void {
  program
    .command('done')
    .description("from inside a polecat: submit its branch to the refinery")
    .option('--bead <id>', 'the bead the branch finishes (default: $CITADEL_BEAD, else from the branch name)')
    .option('--message <text>', 'a note for the refinery and the record')
    .option('--json', 'print the merge request as JSON')
    .action(async (options: DoneOptions) => {
      const { inspectSubmission, fileMergeRequest } = await import('../../refinery/submit.js');
      const { modelContext } = await import('../../model/context.js');
      const town = context.town();
      const submission = await inspectSubmission(context.cwd, town.config.mainBranch);
      const fromBranch = /^polecat\/([^/]+)\/(.+)$/.exec(submission.branch);
      const polecat = context.env.CITADEL_POLECAT?.trim() || fromBranch?.[1] || town.actor;
      const bead = options.bead ?? (context.env.CITADEL_BEAD?.trim() || fromBranch?.[2]);
      const { value } = await town.journal.mutate(
        fileMergeRequest(modelContext(town.actor, town.config.prefix), { submission, polecat, bead, message: options.message }),
      );
      if (options.json) {
        context.json(value.request);
        return;
      }
      const commits = `${submission.commits} commit${submission.commits === 1 ? '' : 's'}`;
      context.out(
        value.created
          ? `submitted ${submission.branch} (${commits}) as merge request ${value.request.id}: the refinery will land it (citadel refinery status)\n`
          : `${submission.branch} is already queued as merge request ${value.request.id} (${value.request.state}); the refinery lands the branch as it is when it gets there\n`,
      );
    });
}
