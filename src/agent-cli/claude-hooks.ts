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
  // At the permission dialog itself: "waiting" at once, not when Notification fires seconds later.
  PermissionRequest: 'permission-request',
  PostToolUse: 'post-tool-use',
  PostToolUseFailure: 'post-tool-use-failure',
  SubagentStop: 'subagent-stop',
  PreCompact: 'pre-compact',
  Notification: 'notification',
  Stop: 'stop',
  // A turn that ended on an API error: Stop does not fire, and the agent is idle all the same.
  StopFailure: 'stop-failure',
};

/** Tool events take a matcher: every tool. */
const toolEvents = new Set(['PreToolUse', 'PermissionRequest', 'PostToolUse', 'PostToolUseFailure']);

/** A hook must never hold the agent up for long; citadel answers in well under a second. */
const hookTimeoutSeconds = 10;

/** The marker that tells citadel's hooks from the user's own: the command's `citadel hook` words. */
export function isCitadelHook(hook: { command?: unknown }, citadel: readonly string[]): boolean {
  if (typeof hook.command !== 'string') return false;
  // Also a hook written by another citadel (`citadel hook …`, or a shim's path before it).
  return hook.command.startsWith(`${shellQuote(citadel)} hook `) || /^(?:citadel|\S*\/citadel|'[^']*\/citadel') hook /.test(hook.command);
}

/** The `hooks` section citadel installs, calling `citadel hook <event>` (citadel = its argv). */
export function claudeHooks(citadel: readonly string[] = ['citadel']): Record<string, ClaudeHookGroup[]> {
  return hookGroups(claudeEvents, citadel, { timeout: hookTimeoutSeconds, matched: toolEvents });
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
  const merged = mergeHookGroups(existing.hooks, claudeHooks(citadel), citadel);
  const permissions = (typeof existing.permissions === 'object' && existing.permissions !== null ? existing.permissions : {}) as Record<string, unknown>;
  const allow = Array.isArray(permissions.allow) ? (permissions.allow as unknown[]) : [];
  const allowed = [...allow, ...claudeAllowed.filter((rule) => !allow.includes(rule))];
  return { ...existing, permissions: { ...permissions, allow: allowed }, hooks: merged };
}

/**
 * Claude Code's `hooks` layout is shared by Codex's hooks.json and Gemini CLI's settings: merges
 * citadel's groups into the user's, keeping every hook of theirs and replacing citadel's own.
 */
export function mergeHookGroups(
  existing: Record<string, ClaudeHookGroup[]> | undefined,
  ours: Record<string, ClaudeHookGroup[]>,
  citadel: readonly string[],
): Record<string, ClaudeHookGroup[]> {
  const merged: Record<string, ClaudeHookGroup[]> = {};
  for (const [event, groups] of Object.entries(existing ?? {})) {
    if (!Array.isArray(groups)) continue;
    const kept = groups
      .map((group) => ({ ...group, hooks: (group.hooks ?? []).filter((hook) => !isCitadelHook(hook, citadel)) }))
      .filter((group) => group.hooks.length > 0);
    if (kept.length > 0) merged[event] = kept;
  }
  for (const [event, groups] of Object.entries(ours)) merged[event] = [...(merged[event] ?? []), ...groups];
  return merged;
}

/** One hook group per event calling `citadel hook <event>`; `matched` events get the every-tool matcher. */
export function hookGroups(
  events: Readonly<Record<string, string>>,
  citadel: readonly string[],
  { timeout, matched = new Set<string>() }: { timeout: number; matched?: ReadonlySet<string> },
): Record<string, ClaudeHookGroup[]> {
  const hooks: Record<string, ClaudeHookGroup[]> = {};
  for (const [event, hookEvent] of Object.entries(events)) {
    const group: ClaudeHookGroup = { hooks: [{ type: 'command', command: shellQuote([...citadel, 'hook', hookEvent]), timeout }] };
    if (matched.has(event)) group.matcher = '*';
    hooks[event] = [group];
  }
  return hooks;
}
