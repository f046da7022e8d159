import { hookGroups, mergeHookGroups, type ClaudeHookGroup } from './claude-hooks.js';

/**
 * Codex's hooks (0.1xx): a project's `.codex/hooks.json` holds `{ "hooks": { "<Event>": [{ matcher?,
 * hooks: [{ type: "command", command, timeout? }] }] } }` — Claude Code's layout, with the event's
 * JSON on the command's stdin. citadel writes it in the polecat's worktree (git-excluded): a file,
 * because any `-c key=value` on Codex's command line starts it in "embedded mode" with a warning,
 * which the older `-c notify=[…]` did. Codex reads a project's `.codex/` only once the project is
 * trusted (`citadel agent setup codex`, docs/agents.md). Pure.
 */

/** The Codex events citadel listens to, and the `citadel hook` event each calls. */
export const codexEvents: Readonly<Record<string, string>> = {
  UserPromptSubmit: 'user-prompt-submit',
  PreToolUse: 'pre-tool-use',
  PermissionRequest: 'permission-request',
  PostToolUse: 'post-tool-use',
  Stop: 'stop',
};

const toolEvents = new Set(['PreToolUse', 'PermissionRequest', 'PostToolUse']);

/** Codex's `.codex/hooks.json` with citadel's hooks merged into whatever is there. */
export function mergeCodexHooks(existing: { hooks?: Record<string, ClaudeHookGroup[]> } & Record<string, unknown>, citadel: readonly string[] = ['citadel']): Record<string, unknown> {
  return { ...existing, hooks: mergeHookGroups(existing.hooks, hookGroups(codexEvents, citadel, { timeout: 10, matched: toolEvents }), citadel) };
}

/** The first line of the project config citadel writes: a `.codex/config.toml` without it is the user's, never touched. */
export const codexConfigMarker = '# Written by citadel for this polecat worktree (docs/agents.md); git-excluded.';

/**
 * The worktree's `.codex/config.toml`:
 * - `allow_login_shell = false`: Codex runs commands through a login shell by default, and a
 *   login shell's /etc/profile resets PATH — the polecat's `citadel` is lost (`citadel: command
 *   not found` at `citadel done`);
 * - `notify`: the end of each turn reported even where hooks.json is not read;
 * - `check_for_update_on_startup = false` unless config `agentSelfUpdate`.
 */
export function codexProjectConfig(citadel: readonly string[], selfUpdate: boolean): string {
  const lines = [codexConfigMarker, 'allow_login_shell = false', `notify = ${JSON.stringify([...citadel, 'hook', 'codex-notify'])}`];
  if (!selfUpdate) lines.push('check_for_update_on_startup = false');
  return `${lines.join('\n')}\n`;
}
