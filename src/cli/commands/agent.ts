import type { Command } from 'commander';
import type { Bead } from '../../model/bead.js';
import type { CliContext } from '../context.js';

interface ScriptedOptions {
  bead?: string;
  ask?: boolean;
  fail?: boolean;
  conflict?: boolean;
  flood?: string | boolean;
  delay?: string;
  done: boolean;
}

/**
 * `citadel agent setup NAME [--yes]`: prepares a real agent for polecats (docs/agents.md);
 * `citadel agent scripted`: the built-in scripted agent (hidden; run by the `scripted` preset).
 */
export function register(program: Command, context: CliContext): void {
  const agent = program.command('agent').description('prepare a real agent for polecats (agent setup NAME)');
  // Bare: its help. A mistyped subcommand: "unknown command" (exit 2), as for other commands.
  agent.allowExcessArguments(true).action(async (_options: unknown, command: Command) => {
    if (command.args[0] !== undefined) {
      const { usage } = await import('../../common/errors.js');
      throw usage(`unknown command '${command.args[0]}' (see --help)`);
    }
    context.out(agent.helpInformation());
  });
  agent
    .command('setup')
    .description('trust the polecats\' worktrees for an agent (claude, codex, gemini), after showing what changes')
    .argument('<name>', 'claude, codex or gemini')
    .option('--yes', 'apply without asking')
    .option('--json', 'print what was changed as JSON')
    .addHelpText('after', '\nExamples:\n  citadel agent setup claude\n  citadel agent setup codex --yes\n')
    .action(async (name: string, options: { yes?: boolean; json?: boolean }) => {
      const { setupAgent } = await import('../work/agent-setup.js');
      await setupAgent(context, name, options);
    });
  agent
    .command('scripted', { hidden: true })
    .description('an agent with no AI service: reads its bead, changes a file, runs the gates, commits, citadel done')
    .option('--bead <id>', 'the bead to work on (default: $CITADEL_BEAD)')
    .option('--ask', 'ask a question and wait for a line on stdin (label scripted:ask)')
    .option('--fail', 'fail: exit non-zero without committing (label scripted:fail)')
    .option('--conflict', 'also edit the first line of SHARED.md, which other such beads edit (label scripted:conflict)')
    .option('--flood [lines]', 'stream a lot of output (default 5000 lines; label scripted:flood[=N])')
    .option('--delay <ms>', 'how long each step shows its spinner (default $CITADEL_SCRIPTED_DELAY_MS, else 300)')
    .option('--no-done', 'commit but do not call citadel done')
    .action(async (options: ScriptedOptions) => {
      const { CitadelError, usage } = await import('../../common/errors.js');
      const { switchesFrom, defaultFloodLines } = await import('../../scripted-agent/switches.js');
      const { runScriptedAgent, isWorktree } = await import('../../scripted-agent/scripted.js');
      const beadId = options.bead ?? context.env.CITADEL_BEAD?.trim();
      if (!beadId) throw usage('no bead: pass --bead ID or set CITADEL_BEAD');
      const delayMs = Number(options.delay ?? (context.env.CITADEL_SCRIPTED_DELAY_MS || '300'));
      if (!Number.isInteger(delayMs) || delayMs < 0) throw usage(`--delay takes milliseconds (got ${JSON.stringify(options.delay)})`);
      const flood = options.flood === undefined ? undefined : options.flood === true ? defaultFloodLines : Number(options.flood);
      if (flood !== undefined && (!Number.isInteger(flood) || flood < 0)) throw usage(`--flood takes a number of lines (got ${JSON.stringify(options.flood)})`);
      if (!(await isWorktree(context.cwd))) throw new CitadelError('refused', `${context.cwd} is not a git worktree: the scripted agent runs in a polecat's worktree`);
      const town = context.town();
      const bead = town.journal.read().get('beads', beadId);
      if (!bead) throw new CitadelError('not_found', `bead ${beadId} not found (see \`citadel bead list\`)`);
      const typed = bead as unknown as Bead;
      const switches = switchesFrom(
        { ...(options.ask ? { ask: true } : {}), ...(options.fail ? { fail: true } : {}), ...(options.conflict ? { conflict: true } : {}), ...(flood !== undefined ? { flood } : {}), delayMs, done: options.done },
        typed.labels ?? [],
      );
      const color = !context.env.NO_COLOR && process.stdout.isTTY === true;
      // The town's gates are commands from its files: run here only once trusted (docs/refinery.md, "Trust").
      const { gatesTrusted } = await import('../../town/trust.js');
      const { readTrust } = await import('../../town/trust-store.js');
      const untrusted = gatesTrusted(readTrust(town.paths.root, context.env), town.config.gates);
      if (untrusted) context.err(`note: not running the gates: ${untrusted}\n`);
      const code = await runScriptedAgent({
        worktree: context.cwd,
        polecat: context.env.CITADEL_POLECAT?.trim() || town.actor,
        bead: typed,
        gates: untrusted ? [] : town.config.gates,
        mainBranch: town.config.mainBranch,
        switches,
        // Its own colours and spinner: written as they are (context.out would make them visible).
        out: { write: (text) => context.raw(text), isTTY: process.stdout.isTTY === true, color },
        input: process.stdin,
        env: { ...context.env, CITADEL_TOWN: town.paths.root },
        citadel: [process.execPath, process.argv[1] ?? 'citadel'],
      });
      if (switches.ask) {
        process.stdin.pause();
        process.stdin.unref?.();
      }
      process.exitCode = code;
    });
  // The bare command takes any word (to name a mistyped subcommand); its subcommands inherit
  // that setting, so `citadel agent <sub> extra` would run and drop `extra`: turn it back off.
  for (const sub of agent.commands) sub.allowExcessArguments(false);
}
