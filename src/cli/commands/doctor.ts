import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function register(program: Command, context: CliContext): void {
  program
    .command('doctor')
    .description('check the journal and projections; --repair quarantines corruption')
    .option('--repair', 'set aside torn tails, quarantine corrupt records (originals kept in journal/quarantine/), rebuild projections; logged in journal/recovery.log')
    .option('--verify', 'also prove the hash chain: no acknowledged record edited, removed or reordered (names the first bad record)')
    .option('--json', 'print the report as JSON')
    .action(async (options: { repair?: boolean; json?: boolean; verify?: boolean }) => {
      const { runDoctor } = await import('./doctor-run.js');
      process.exitCode = await runDoctor(context, { repair: options.repair === true, json: options.json === true, verify: options.verify === true });
    });
}
