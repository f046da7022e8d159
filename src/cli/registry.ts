import type { Command } from 'commander';
import type { CliContext } from './context.js';

export type Register = (program: Command, context: CliContext) => void;

/**
 * Every command module, in help order, by the top-level command it registers. `main` imports
 * only the module of the command being run (all of them for help, a bare `citadel` or an
 * unknown word), so a data command such as `citadel ready --json` loads one small module.
 * A module registers its command's names, options and help, and loads whatever its action
 * needs lazily (`await import(...)`) — never at the top.
 */
export const commandLoaders: ReadonlyArray<readonly [name: string, load: () => Promise<Register>]> = [
  ['workstation', async () => (await import('./commands/workstation.js')).register],
  ['init', async () => (await import('./commands/init.js')).register],
  ['demo', async () => (await import('./commands/demo.js')).register],
  ['attach', async () => (await import('./commands/attach.js')).register],
  ['bead', async () => (await import('./commands/bead.js')).register],
  ['ready', async () => (await import('./commands/ready.js')).register],
  ['sling', async () => (await import('./commands/sling.js')).register],
  ['town', async () => (await import('./commands/town.js')).register],
  ['polecat', async () => (await import('./commands/polecat.js')).register],
  ['nudge', async () => (await import('./commands/nudge.js')).register],
  ['done', async () => (await import('./commands/done.js')).register],
  ['refinery', async () => (await import('./commands/refinery.js')).register],
  ['trust', async () => (await import('./commands/trust.js')).register],
  ['approve', async () => (await import('./commands/approve.js')).register],
  ['reject', async () => (await import('./commands/reject.js')).register],
  ['mail', async () => (await import('./commands/mail.js')).register],
  ['molecule', async () => (await import('./commands/molecule.js')).register],
  ['cv', async () => (await import('./commands/cv.js')).register],
  ['prime', async () => (await import('./commands/prime.js')).register],
  ['doctor', async () => (await import('./commands/doctor.js')).register],
  ['daemon', async () => (await import('./commands/daemon.js')).register],
  ['mcp', async () => (await import('./commands/mcp.js')).register],
  ['agent', async () => (await import('./commands/agent.js')).register],
  ['hook', async () => (await import('./commands/hook.js')).register],
  ['sync', async () => (await import('./commands/sync.js')).register],
  ['host', async () => (await import('./commands/host.js')).register],
];

/**
 * The loaders to run for this command line: just the named command's when it is known, none
 * for `citadel --version` alone (commander answers it before any command is looked at).
 */
export function loadersFor(args: readonly string[]): ReadonlyArray<() => Promise<Register>> {
  const first = args[0];
  if (args.length === 1 && (first === '--version' || first === '-V')) return [];
  const known = commandLoaders.find(([name]) => name === first && name !== 'workstation');
  return known ? [known[1]] : commandLoaders.map(([, load]) => load);
}
