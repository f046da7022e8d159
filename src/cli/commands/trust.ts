import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/**
 * `citadel trust [--show]`: lets the refinery run the commands the town's files hold (the
 * gates of config.json, the town's molecules, the steps' gates), as `direnv allow` does for
 * an `.envrc` (docs/refinery.md, "Trust"). `--show` lists them and changes nothing.
 */
export function register(program: Command, context: CliContext): void {
  program
    .command('trust')
    .description('review and trust the commands in the town’s files (gates), so the refinery runs them')
    .option('--show', 'list what would be trusted, and what is trusted already; change nothing')
    .option('--json', 'print the review as JSON')
    .action(async (options: { show?: boolean; json?: boolean }) => {
      const { reviewTown, trustTown } = await import('../../town/trust-store.js');
      const { formatTrust } = await import('./trust-format.js');
      const town = context.town();
      const items = options.show ? reviewTown(town, context.env) : trustTown(town, context.env);
      if (options.json) {
        context.json({ town: town.paths.root, trusted: !options.show || items.every((item) => item.state === 'trusted'), items });
        return;
      }
      context.out(formatTrust(town.paths.root, items, options.show === true));
    });
}
