import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `citadel attach`: open the workstation on the town's daemon (the same as bare `citadel`). */
export function register(program: Command, context: CliContext): void {
  program
    .command('attach')
    .description('attach to the town daemon’s session: the workstation, with every pane’s current screen')
    .action(async () => {
      // React's development build costs the workstation several times the CPU per render.
      process.env['NODE_ENV'] ??= 'production';
      const { openWorkstation } = await import('../../tui/open-workstation.js');
      await openWorkstation(context);
    });
}
