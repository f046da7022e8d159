import { Option, type Command } from 'commander';
import type { CliContext } from '../context.js';

interface DemoFlags {
  dir?: string;
  tui: boolean;
  json?: boolean;
  timeout: string;
  polecats: string;
  drive?: string;
}

/**
 * `citadel demo [--dir DIR] [--no-tui]`: the whole town in one command with no AI service — a
 * small real project in a fresh repository, a dozen beads and a molecule, the scripted agent
 * slung on what is ready, the refinery merging (one conflict and one failing gate bounce and
 * are reworked), ending with every bead closed and main green (src/demo/).
 */
export function register(program: Command, context: CliContext): void {
  program
    .command('demo')
    .description('make a demo town run by the scripted agent, and open it')
    .option('--dir <dir>', 'where to make it: a new or empty directory (default: a new temp directory, printed)')
    .option('--no-tui', 'run headless to the end and print a summary; exit 0 only if the town ended healthy')
    .option('--json', 'with --no-tui: print the summary as JSON')
    .option('--timeout <seconds>', 'give up after this long', '240')
    .option('--polecats <n>', 'at most this many polecats at once', '4')
    .addOption(new Option('--drive <dir>', 'run the dispatcher on an existing demo town (used by the TUI demo)').hideHelp())
    .action(async (flags: DemoFlags) => {
      const { CitadelError, usage } = await import('../../common/errors.js');
      const timeoutMs = Number(flags.timeout) * 1000;
      if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw usage(`--timeout takes a number of seconds (got ${JSON.stringify(flags.timeout)})`);
      const maxPolecats = Number(flags.polecats);
      if (!Number.isInteger(maxPolecats) || maxPolecats < 1 || maxPolecats > 16) throw usage(`--polecats takes a number from 1 to 16 (got ${JSON.stringify(flags.polecats)})`);
      const run = await import('../../demo/run.js');

      if (flags.drive !== undefined) {
        const { resolve } = await import('node:path');
        const outcome = await run.driveDemo(resolve(context.cwd, flags.drive), { env: context.env, timeoutMs, maxPolecats, progress: (line) => context.out(`${line}\n`) });
        context.out(`dispatcher: ${outcome.finished ? 'every bead closed' : `stopped (${outcome.stopped})`} after ${outcome.slings} slings (${outcome.reworks} reworks)\n`);
        if (!outcome.finished) process.exitCode = 1;
        return;
      }

      const terminal = process.stdout.isTTY === true && process.stdin.isTTY === true;
      if (flags.tui && !terminal) context.err('citadel demo: not a terminal, so no workstation: running headless (as with --no-tui)\n');
      if (flags.tui && terminal) {
        const started = await run.startTuiDemo({ dir: flags.dir, env: context.env, out: (text) => context.out(text), timeoutMs, maxPolecats });
        context.out(`Opening the workstation; polecats start as the dispatcher slings them (log: ${started.log}).\n`);
        const { createContext } = await import('../context.js');
        const { launchWorkstation } = await import('../launch-workstation.js');
        const townContext = createContext(
          { cwd: started.demo.root, env: started.env, stdout: (text) => context.out(text), stderr: (text) => context.err(text) },
          started.demo.root,
        );
        try {
          await launchWorkstation(townContext);
        } catch (error) {
          context.err(`The demo town is in ${started.demo.root} and keeps working (log: ${started.log}); \`cd ${started.demo.root} && citadel\` opens it.\n`);
          throw error;
        } finally {
          townContext.dispose();
        }
        const { existsSync } = await import('node:fs');
        const working = existsSync(run.dispatcherPidFile(started.demo.root));
        context.out(
          `The demo town is in ${started.demo.root}; ${working ? 'its scheduler keeps slinging until every bead is closed' : 'its dispatcher is done'} (log: ${started.log}).\n` +
            `Come back with \`cd ${started.demo.root} && citadel\`; stop it with \`citadel daemon stop\` there.\n`,
        );
        return;
      }

      const controller = new AbortController();
      const interrupt = (): void => controller.abort();
      process.once('SIGINT', interrupt);
      // The dispatcher stops at the timeout and the shutdown is bounded too; this is the last
      // resort so that the demo can never hang a script or a CI job.
      const guard = setTimeout(() => {
        context.err(`citadel demo: still running ${Math.round(timeoutMs / 1000) + 60} s after it started; giving up\n`);
        process.exit(1);
      }, timeoutMs + 60_000);
      guard.unref();
      let report;
      try {
        report = await run.runHeadlessDemo(
          { dir: flags.dir, env: context.env, timeoutMs, maxPolecats, out: (text) => (flags.json ? context.err(text) : context.out(text)), progress: (line) => (flags.json ? context.err(`${line}\n`) : context.out(`${line}\n`)) },
          controller.signal,
        );
      } finally {
        process.off('SIGINT', interrupt);
        clearTimeout(guard);
      }
      if (flags.json) context.json(report);
      else context.out(run.renderReport(report));
      if (!report.healthy) throw new CitadelError('failed', `the demo town did not end healthy: ${report.problems.join('; ')}`);
    });
}
