import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `citadel refinery status|run`: the merge lane (docs/refinery.md). */
export function register(program: Command, context: CliContext): void {
  const refinery = program.command('refinery').description('the merge lane: status, or run the worker');
  // Bare `citadel refinery` shows its subcommands rather than nothing; a mistyped one is a
  // usage error worded as commander words it for other commands (not "too many arguments").
  refinery.allowExcessArguments(true).action(async (_options: unknown, command: Command) => {
    const typed = command.args[0];
    if (typed !== undefined) {
      const { usage } = await import('../../common/errors.js');
      throw usage(`unknown command '${typed}' (see --help)`);
    }
    context.out(refinery.helpInformation());
  });

  refinery
    .command('status')
    .description('the queue, the request being landed with its stage, and recent results')
    .option('--json', 'print as JSON')
    .option('--recent <n>', 'how many recent results to show', '10')
    .action(async (options: { json?: boolean; recent: string }) => {
      const { refineryStatus } = await import('../../refinery/status.js');
      const { formatRefineryStatus } = await import('../../refinery/format.js');
      const recent = Number(options.recent);
      if (!Number.isInteger(recent) || recent < 0) {
        const { usage } = await import('../../common/errors.js');
        throw usage(`--recent takes a whole number (got ${JSON.stringify(options.recent)})`);
      }
      const { refineryWorker } = await import('../../refinery/worker.js');
      const town = context.town();
      const status = { ...refineryStatus(town.journal.read(), { recent }), worker: refineryWorker(town.paths.run) };
      if (options.json) context.json(status);
      else context.out(formatRefineryStatus(status));
    });

  refinery
    .command('run')
    .description('run the refinery worker in the foreground (the daemon normally hosts it)')
    .option('--once', 'land what is queued now, then exit instead of waiting for more')
    .option('--json', 'print a summary of what was merged and rejected as JSON')
    .action(async (options: { once?: boolean; json?: boolean }) => {
      const { runRefinery } = await import('../../refinery/refinery.js');
      const root = context.town().paths.root;
      const controller = new AbortController();
      const stop = (): void => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const run = await runRefinery(root, {
          signal: controller.signal,
          once: options.once === true,
          log: (line) => (options.json ? context.err(`${line}\n`) : context.out(`${line}\n`)),
        });
        if (options.json) context.json(run);
        else if (options.once) {
          context.out(`refinery: ${run.merged.length} merged, ${run.rejected.length} rejected${run.waiting.length > 0 ? `, ${run.waiting.length} waiting (${run.waiting.join(', ')})` : ''}\n`);
        }
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
  // The bare command takes any word (to name a mistyped subcommand); its subcommands inherit
  // that setting, so `citadel refinery <sub> extra` would run and drop `extra`: turn it back off.
  for (const sub of refinery.commands) sub.allowExcessArguments(false);
}
