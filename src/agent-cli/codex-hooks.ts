import { hookGroups, mergeHookGroups, type ClaudeHookGroup } from './claude-hooks.js';

/**
 * Codex (0.171) and citadel, as measured against the real CLI (docs/agents.md):
 * - any `-c key=value` on its command line starts it in "embedded mode" with a warning (the older
 *   `-c notify=[…]` did): nothing goes on its command line;
 * - a project's `.codex/hooks.json` (Claude Code's layout) is read, but every new or changed hook
 *   opens a "Hooks need review" dialog first, keyed by that file's path — every new worktree would
 *   open on it. So citadel does not install hooks.json by default ({@link mergeCodexHooks} stays
 *   for a user who trusts them in their own config);
 * - a project's `notify` is ignored; the user's own (`~/.codex/config.toml`) is honoured: `citadel
 *   agent setup codex` offers to add `notify = ["citadel", "hook", "codex-notify"]` there (it does
 *   nothing outside a polecat);
 * - a project's `allow_login_shell = false` is honoured: without it Codex runs commands in a login
 *   shell whose /etc/profile resets PATH, and `citadel` is lost. Pure.
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
 * The worktree's `.codex/config.toml`: `allow_login_shell = false` (the polecat's PATH, and so
 * `citadel`, survives Codex's shell), and `check_for_update_on_startup = false` unless config
 * `agentSelfUpdate`.
 */
export function codexProjectConfig(selfUpdate: boolean): string {
  const lines = [codexConfigMarker, 'allow_login_shell = false'];
  if (!selfUpdate) lines.push('check_for_update_on_startup = false');
  return `${lines.join('\n')}\n`;
}

/** The user-level notify `citadel agent setup codex` offers (Codex runs it after each turn). */
export const codexUserNotify = 'notify = ["citadel", "hook", "codex-notify"]';
