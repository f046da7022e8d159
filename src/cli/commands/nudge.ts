import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `citadel nudge NAME TEXT`: types TEXT and Enter into a polecat's pty. */
export function register(program: Command, context: CliContext): void {
  program
    .command('nudge')
    .description('type TEXT (and Enter) into the pty of a polecat, as if at its keyboard')
    .argument('<name>', 'the polecat')
    .argument('<text...>', 'what to type')
    .option('--no-enter', 'do not press Enter after the text')
    .option('--json', 'print {name, typed} as JSON')
    .action(async (name: string, text: string[], options: { enter: boolean; json?: boolean }) => {
      const typed = text.join(' ');
      await (await import('../../polecats/polecat-actions.js')).nudgePolecat(context.town(), name, typed, options.enter, context.env);
      if (options.json) context.json({ name, typed, enter: options.enter });
      else context.out(`typed into ${name}\n`);
    });
}
