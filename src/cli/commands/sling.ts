import type { Command } from 'commander';
import type { CliContext } from '../context.js';

interface SlingOptions {
  role?: string;
  polecat?: string;
  agent?: string;
  host?: string;
  json?: boolean;
}

/** `citadel sling BEAD [--polecat NAME] [--agent PRESET] [-- ARGV…]` (docs/daemon.md). */
export function register(program: Command, context: CliContext): void {
  program
    .command('sling')
    .description('hand a bead to a polecat: its own worktree and branch, an agent in a pty run by the daemon')
    .argument('[bead]', 'the bead to work on, e.g. ct-a3f8')
    .argument('[argv...]', 'after --: the command to run instead of a preset')
    .option('--polecat <name>', 'the polecat to use (default: an idle one, or a new name)')
    .option('--role <role>', 'mayor: start the town\'s mayor (a pinned bead; it runs the town through the CLI/MCP)')
    .option('--agent <preset>', 'claude, codex, gemini, aider, opencode, shell or scripted (default: config defaultAgent, else the first of claude, codex, gemini, opencode, aider installed)')
    .option('--host <name>', 'run it on a remote host over ssh (citadel host add; docs/remote.md)')
    .option('--json', 'print what was started as JSON')
    .addHelpText('after', '\nExamples:\n  citadel sling ct-a3f8\n  citadel sling ct-a3f8 --polecat nux --agent claude\n  citadel sling ct-a3f8 -- my-agent --flag\n')
    .action(async (bead: string | undefined, argv: string[], options: SlingOptions) => {
      const { CitadelError } = await import('../../common/errors.js');
      if (options.role !== undefined) {
        // docs/scheduler.md, "A mayor".
        if (options.role !== 'mayor') throw new CitadelError('usage', `unknown role ${JSON.stringify(options.role)}: the one role is mayor`);
        if (bead !== undefined || argv.length > 0 || options.polecat) throw new CitadelError('usage', '--role mayor takes no bead, command or --polecat: it slings the town\'s mayor bead to the polecat mayor');
        const { slingMayor } = await import('../../scheduler/mayor.js');
        const { ensureDaemon } = await import('../../daemon/lifecycle.js');
        const town = context.town();
        const result = await slingMayor(town, { agent: options.agent, env: context.env }, async () => (await ensureDaemon(town.paths.root, { env: context.env })).client);
        if (options.json) context.json(result);
        else context.out(`${result.bead} → mayor (${result.agent})${result.created ? ' (the mayor bead was made)' : ''}: it runs the town; \`citadel polecat peek mayor\` watches it.\n`);
        return;
      }
      if (bead === undefined) throw new CitadelError('usage', "missing required argument 'bead'");
      if (argv.length > 0 && options.agent) throw new CitadelError('usage', 'give either --agent PRESET or a command after --, not both');
      const { sling } = await import('../../polecats/sling.js');
      const { ensureDaemon } = await import('../../daemon/lifecycle.js');
      const town = context.town();
      const result = await sling(
        town,
        { bead, polecat: options.polecat, agent: options.agent, argv: argv.length ? argv : undefined, env: context.env, host: options.host },
        async () => (await ensureDaemon(town.paths.root, { env: context.env })).client,
      );
      if (options.json) {
        context.json(result);
        return;
      }
      const { trustableAgents, trustsWorktrees } = await import('../../agent-cli/agent-trust.js');
      const untrusted = !options.host && (trustableAgents as readonly string[]).includes(result.agent) && !(await trustsWorktrees(town.paths.citadel, result.agent).catch(() => true));
      context.out(
        `${result.bead} → ${result.polecat} (${result.agent}${result.pid ? `, pid ${result.pid}` : ''})\n` +
          `  worktree ${options.host ? `${options.host}:` : ''}${result.worktree}${result.reused ? ' (reused)' : ''}\n` +
          `  branch   ${result.branch}${result.resumed ? ' (resumed)' : ''}\n` +
          `Watch it with \`citadel\` (or \`citadel polecat peek ${result.polecat}\`).\n` +
          (untrusted ? `If ${result.agent} asks to trust its new worktree: \`citadel agent setup ${result.agent}\` answers that for every polecat.\n` : ''),
      );
    });
}
