import type { Command } from 'commander';
import type { CliContext } from '../context.js';

/**
 * `citadel hook EVENT [PAYLOAD]` (hidden): called by an agent's own hooks (Claude Code's
 * settings hooks, Codex's notify) to record working / waiting / idle for `$CITADEL_POLECAT`.
 * It never fails the agent: outside a polecat it does nothing, and a problem is one line on
 * stderr with exit 0 (Claude Code reads exit 2 as "block this tool call").
 */
export function register(program: Command, context: CliContext): void {
  program
    .command('hook', { hidden: true })
    .description('record an agent-reported status for $CITADEL_POLECAT (called by agent hooks)')
    .argument('<event>', 'a Claude Code event (stop, notification, pre-tool-use…), codex-notify, or working|waiting|idle')
    .argument('[payload]', 'the event’s JSON (Codex passes it as an argument; Claude Code on stdin)')
    .option('--json', 'print what was recorded')
    .action(async (event: string, payload: string | undefined, options: { json?: boolean }) => {
      const { runHook } = await import('../../agent-cli/run-hook.js');
      await runHook(context, event, payload, options.json === true);
    });
}
