import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `citadel attach`: open the workstation on the town's daemon (the same as bare `citadel`). */
export function register(program: Command, context: CliContext): void {
  program
    .command('attach')
    .description('attach to the town daemon’s session: the workstation, with every pane’s current screen')
    .option('--theme <name>', 'the workstation theme: dark, light, high-contrast, 16-color, or a theme file (default: config "theme")')
    .action(async (options: { theme?: string }) => {
      const { launchWorkstation } = await import('../launch-workstation.js');
      await launchWorkstation(context, { theme: options.theme });
    });
}
