import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `citadel sync [REMOTE]`: journal federation over git (docs/federation.md). */
export function register(program: Command, context: CliContext): void {
  program
    .command('sync')
    .description('federate this town\'s journal through a git remote: push its records, pull and merge the other towns\'')
    .argument('[remote]', 'a git remote of this repository (default: origin, or the only remote)')
    .option('--watch', 'keep syncing: after local changes and every --interval seconds, until interrupted')
    .option('--interval <seconds>', 'with --watch: seconds between syncs (default 10)')
    .option('--conflicts', 'list the concurrent edits federation has merged (both values, which was kept)')
    .option('--json', 'print the sync report (or the conflicts) as JSON')
    .action(async (remote: string | undefined, options: { watch?: boolean; interval?: string; conflicts?: boolean; json?: boolean }) => {
      const { syncAction } = await import('../../federation/sync-action.js');
      await syncAction(context, remote, options);
    });
}
