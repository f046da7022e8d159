import { hookGroups, mergeHookGroups, type ClaudeHookGroup } from './claude-hooks.js';

/**
 * Gemini CLI's hooks (0.61): settings `hooks.<Event>` in Claude Code's layout (timeouts in ms),
 * the event's JSON on stdin. citadel writes them in the worktree's `.gemini/settings.json`
 * (git-excluded). Measured: Gemini runs them only in a trusted folder (`citadel agent setup
 * gemini`), and shows one non-blocking "project-level hooks have been detected" warning in a new
 * worktree. Not the system defaults file (`GEMINI_CLI_SYSTEM_DEFAULTS_PATH`): Gemini skips it
 * unless it and every parent folder are owned by root and not group/world-writable. Pure.
 */

/** The Gemini CLI events citadel listens to, and the `citadel hook` event each calls. */
export const geminiEvents: Readonly<Record<string, string>> = {
  BeforeAgent: 'before-agent',
  BeforeTool: 'before-tool',
  AfterTool: 'after-tool',
  // Its payload's notification_type "ToolPermission": the "Allow execution of …?" dialog.
  Notification: 'notification',
  AfterAgent: 'after-agent',
};

const toolEvents = new Set(['BeforeTool', 'AfterTool']);

export type GeminiSettings = { hooks?: Record<string, ClaudeHookGroup[]>; general?: Record<string, unknown> } & Record<string, unknown>;

/** The worktree's settings: `base` (what is there) with citadel's hooks, self-update off unless `selfUpdate`. */
export function geminiSettings(base: GeminiSettings, citadel: readonly string[], selfUpdate: boolean): GeminiSettings {
  const hooks = mergeHookGroups(base.hooks, hookGroups(geminiEvents, citadel, { timeout: 10_000, matched: toolEvents }), citadel);
  const general = selfUpdate ? base.general : { ...(base.general ?? {}), enableAutoUpdate: false, enableAutoUpdateNotification: false };
  return { ...base, ...(general ? { general } : {}), hooks };
}
