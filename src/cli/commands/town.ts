import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/** `citadel town start|pause|status` (docs/scheduler.md): the scheduler that runs the town; `town name` (docs/model.md, "Addresses"). */
export function register(program: Command, context: CliContext): void {
  const town = program.command('town').description('run the town by itself: the scheduler keeps polecats busy on ready beads');

  town
    .command('start')
    .description('start the scheduler (and the daemon): it slings ready beads while fewer than --max polecats are busy')
    .option('--max <n>', 'at most N polecats busy at once (default: config scheduler.max, 3)')
    .option('--agent <name>', 'the agent it starts (default: config scheduler.agents, else the town\'s default agent)')
    .option('--json', 'print the scheduler\'s state as JSON')
    .action(async (options: { max?: string; agent?: string; json?: boolean }) => {
      const { townStart } = await import('../work/town-action.js');
      await townStart(context, options);
    });

  town
    .command('pause')
    .description('stop taking work (running polecats finish); `town start` resumes')
    .option('--json', 'print the scheduler\'s state as JSON')
    .action(async (options: { json?: boolean }) => {
      const { townPause } = await import('../work/town-action.js');
      await townPause(context, options);
    });

  town
    .command('name')
    .description('print the town\'s name, the <town> of its actors\' addresses entity://citadel/<town>/<id>; with NAME, set it in .citadel/config.json')
    .argument('[name]', "the new name: lowercase letters, digits, '-', '_'")
    .option('--json', 'print {name, address, config} as JSON')
    .action(async (name: string | undefined, options: { json?: boolean }) => {
      (await import('../work/town-name-action.js')).townNameAction(context, name, options);
    });

  town
    .command('status')
    .description('whether the scheduler runs, what it takes next and why, what waits, who holds each resource')
    .option('--json', 'print the status as JSON')
    .action(async (options: { json?: boolean }) => {
      const { townStatus } = await import('../work/town-action.js');
      townStatus(context, options);
    });
}
