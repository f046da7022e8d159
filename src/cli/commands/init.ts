import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function register(program: Command, context: CliContext): void {
  program
    .command('init')
    .description('make the current git repository a town (.citadel/); idempotent')
    .option('--prefix <prefix>', 'bead id prefix, e.g. ct → ct-a3f8 (default ct; kept from config.json when re-run)')
    .option('--json', 'print what was done as JSON')
    .action(async (options: { prefix?: string; json?: boolean }) => {
      const { initTown } = await import('../../town/create.js');
      const result = initTown({ cwd: context.cwd, env: context.env, prefix: options.prefix });
      if (options.json) {
        context.json(result);
        return;
      }
      if (result.created) context.out(`Initialized a citadel town in ${result.citadel} (bead prefix "${result.prefix}").\n`);
      else context.out(`${result.citadel} is already a citadel town (bead prefix "${result.prefix}")${result.trusted ? '' : '; nothing to do'}.\n`);
      const commands = result.trusted?.filter((item) => item.state !== 'trusted') ?? [];
      if (commands.length > 0) {
        const list = commands.map((item) => `${item.name}: ${item.commands.join('; ')}`).join(' · ');
        context.out(`Trusted the commands in this town's files on this machine (the refinery runs them): ${list}. Review with \`citadel trust --show\`.\n`);
      }
      if (result.excludedAdded.length) context.out(`Kept out of git via .git/info/exclude: ${result.excludedAdded.join(' ')}\n`);
      if (result.created) context.out('Next: `citadel bead create "first task"`, then `citadel` to open the workstation.\n');
    });
}
