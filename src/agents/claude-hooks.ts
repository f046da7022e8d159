import { shellQuote } from './shell-quote.js';

/**
 * Claude Code's settings hooks (docs: code.claude.com/docs/en/hooks): in a settings file,
 * `hooks.<Event>` is a list of `{ matcher?, hooks: [{ type: "command", command, timeout? }] }`;
 * the command runs through a shell with the event's JSON on stdin. Pure: builds and merges
 * settings objects; writing them is `install-hooks.ts`'s job.
 */

export interface ClaudeCommandHook {
  type: 'command';
  command: string;
  timeout?: number;
}

export interface ClaudeHookGroup {
  matcher?: string;
  hooks: ClaudeCommandHook[];
}

export type ClaudeSettings = { hooks?: Record<string, ClaudeHookGroup[]> } & Record<string, unknown>;

/**
 * The Claude Code events citadel listens to, and the `citadel hook` event each one calls.
 * SessionStart also primes the agent: its stdout is added to Claude's context, so a session
 * that starts, resumes, is cleared or compacts gets `citadel prime` again.
 */
export const claudeEvents: Readonly<Record<string, string>> = {
  SessionStart: 'session-start',
  UserPromptSubmit: 'user-prompt-submit',
  PreToolUse: 'pre-tool-use',
  PostToolUse: 'post-tool-use',
  SubagentStop: 'subagent-stop',
  PreCompact: 'pre-compact',
  Notification: 'notification',
  Stop: 'stop',
};

/** Tool events take a matcher: every tool. */
const toolEvents = new Set(['PreToolUse', 'PostToolUse']);

/** A hook must never hold the agent up for long; citadel answers in well under a second. */
const hookTimeoutSeconds = 10;

/** The marker that tells citadel's hooks from the user's own: the command's `citadel hook` words. */
export function isCitadelHook(hook: { command?: unknown }, citadel: readonly string[]): boolean {
  return typeof hook.command === 'string' && hook.command.startsWith(`${shellQuote(citadel)} hook `);
}

/** The `hooks` section citadel installs, calling `citadel hook <event>` (citadel = its argv). */
export function claudeHooks(citadel: readonly string[] = ['citadel']): Record<string, ClaudeHookGroup[]> {
  const hooks: Record<string, ClaudeHookGroup[]> = {};
  for (const [event, hookEvent] of Object.entries(claudeEvents)) {
    const group: ClaudeHookGroup = {
      hooks: [{ type: 'command', command: shellQuote([...citadel, 'hook', hookEvent]), timeout: hookTimeoutSeconds }],
    };
    if (toolEvents.has(event)) group.matcher = '*';
    hooks[event] = [group];
  }
  return hooks;
}

/**
 * The citadel commands a polecat may run without a permission prompt: its own work (beads, ready,
 * mail, done, prime, molecule status) and the MCP server's tools — never the commands that act
 * on other polecats or the town (sling, nudge, polecat kill, daemon stop…).
 */
export const claudeAllowed: readonly string[] = [
  'Bash(citadel ready:*)',
  'Bash(citadel bead:*)',
  'Bash(citadel mail:*)',
  'Bash(citadel done:*)',
  'Bash(citadel prime:*)',
  'Bash(citadel molecule status:*)',
  'Bash(citadel cv:*)',
  'mcp__citadel',
];

/**
 * Merges citadel's hooks into existing settings: every other key and every hook of the user's
 * own is kept; citadel's previous hooks are replaced (installing twice changes nothing). The
 * permission rules of {@link claudeAllowed} are added to `permissions.allow` once.
 */
export function mergeClaudeSettings(existing: ClaudeSettings, citadel: readonly string[] = ['citadel']): ClaudeSettings {
  const merged: Record<string, ClaudeHookGroup[]> = {};
  for (const [event, groups] of Object.entries(existing.hooks ?? {})) {
    if (!Array.isArray(groups)) continue;
    const kept = groups
      .map((group) => ({ ...group, hooks: (group.hooks ?? []).filter((hook) => !isCitadelHook(hook, citadel)) }))
      .filter((group) => group.hooks.length > 0);
    if (kept.length > 0) merged[event] = kept;
  }
  for (const [event, groups] of Object.entries(claudeHooks(citadel))) {
    merged[event] = [...(merged[event] ?? []), ...groups];
  }
  const permissions = (typeof existing.permissions === 'object' && existing.permissions !== null ? existing.permissions : {}) as Record<string, unknown>;
  const allow = Array.isArray(permissions.allow) ? (permissions.allow as unknown[]) : [];
  const allowed = [...allow, ...claudeAllowed.filter((rule) => !allow.includes(rule))];
  return { ...existing, permissions: { ...permissions, allow: allowed }, hooks: merged };
}
