import { hookGroups, mergeHookGroups, type ClaudeHookGroup } from './claude-hooks.js';

/**
 * Gemini CLI's hooks (0.2x+): settings `hooks.<Event>` in Claude Code's layout (timeouts in ms),
 * the event's JSON on stdin. citadel hands them over as Gemini's *system defaults* file
 * (`GEMINI_CLI_SYSTEM_DEFAULTS_PATH`, the lowest settings layer): no file of the user's or of the
 * project is edited, and the user's own settings still win. Gemini runs settings hooks only in a
 * trusted folder (`citadel agent setup gemini`). Pure.
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

/**
 * The system defaults for a polecat: `base` (the machine's own system defaults, if any) with
 * citadel's hooks, and the self-update switched off unless `selfUpdate`.
 */
export function geminiDefaults(base: GeminiSettings, citadel: readonly string[], selfUpdate: boolean): GeminiSettings {
  const hooks = mergeHookGroups(base.hooks, hookGroups(geminiEvents, citadel, { timeout: 10_000, matched: toolEvents }), citadel);
  const general = selfUpdate ? base.general : { ...(base.general ?? {}), enableAutoUpdate: false, enableAutoUpdateNotification: false };
  return { ...base, ...(general ? { general } : {}), hooks };
}
