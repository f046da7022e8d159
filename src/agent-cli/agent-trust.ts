import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { codexUserNotify } from './codex-hooks.js';

/**
 * First run of an agent in a new worktree: Claude Code, Codex and Gemini CLI each ask whether to
 * trust the folder, and every polecat's worktree is a new folder. `citadel agent setup NAME`
 * records the user's consent in the town (`.citadel/agents.json`), after showing what changes;
 * from then on each polecat's worktree is trusted when its pane starts. Nothing is changed in the
 * user's own agent config without that consent (docs/agents.md).
 *
 * - claude: `~/.claude.json` (or `$CLAUDE_CONFIG_DIR/.claude.json`), `projects[path]` gets
 *   `hasTrustDialogAccepted` and `hasCompletedProjectOnboarding` for the worktrees folder and
 *   each worktree;
 * - codex: `~/.codex/config.toml` (or `$CODEX_HOME`) gets `[projects."<worktree>"] trust_level = "trusted"`,
 *   and at setup, when it has no `notify` of its own, citadel's (the end of each turn, reported);
 * - gemini: nothing is written: its polecats run with `GEMINI_CLI_TRUST_WORKSPACE=true`.
 */

export const trustableAgents = ['claude', 'codex', 'gemini'] as const;
export type TrustableAgent = (typeof trustableAgents)[number];

/** The town's record of the user's consent. */
export const agentsFile = (citadelDir: string): string => join(citadelDir, 'agents.json');

interface AgentsRecord {
  trust?: string[];
}

async function readRecord(citadelDir: string): Promise<AgentsRecord> {
  try {
    const parsed = JSON.parse(await readFile(agentsFile(citadelDir), 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as AgentsRecord) : {};
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CitadelError('invalid', `${agentsFile(citadelDir)}: not valid JSON (${(error as Error).message}); fix or remove it`);
  }
}

/** Whether the user opted in to trusting `agent`'s worktrees. */
export async function trustsWorktrees(citadelDir: string, agent: string): Promise<boolean> {
  return (await readRecord(citadelDir)).trust?.includes(agent) ?? false;
}

/** Records the consent (idempotent). */
export async function recordTrust(citadelDir: string, agent: TrustableAgent): Promise<void> {
  const record = await readRecord(citadelDir);
  const trust = [...new Set([...(record.trust ?? []), agent])].sort();
  await writeAtomically(agentsFile(citadelDir), `${JSON.stringify({ ...record, trust }, null, 2)}\n`);
}

export const claudeConfigFile = (env: NodeJS.ProcessEnv): string => join(env.CLAUDE_CONFIG_DIR || env.HOME || homedir(), '.claude.json');
export const codexConfigFile = (env: NodeJS.ProcessEnv): string => join(env.CODEX_HOME || join(env.HOME || homedir(), '.codex'), 'config.toml');

/** What trusting `paths` for `agent` changes, one line each (shown before asking). */
export function describeTrust(agent: TrustableAgent, paths: readonly string[], env: NodeJS.ProcessEnv): string[] {
  switch (agent) {
    case 'claude':
      return paths.map((path) => `${claudeConfigFile(env)}: projects["${path}"].hasTrustDialogAccepted = true (and hasCompletedProjectOnboarding)`);
    case 'codex':
      return [
        ...paths.map((path) => `${codexConfigFile(env)}: [projects.${JSON.stringify(path)}] trust_level = "trusted"`),
        `${codexConfigFile(env)}: ${codexUserNotify} (only if it has no notify of its own; outside a polecat it does nothing)`,
      ];
    case 'gemini':
      return ['nothing written: gemini polecats run with GEMINI_CLI_TRUST_WORKSPACE=true (their worktree is trusted for that run only)'];
  }
}

/** Trusts `paths` in the agent's own config; returns the paths it changed (none when all were trusted). */
export async function applyTrust(agent: TrustableAgent, paths: readonly string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  if (agent === 'claude') return trustClaude(paths, claudeConfigFile(env));
  if (agent === 'codex') return trustCodex(paths, codexConfigFile(env));
  return [];
}

/** At `agent setup codex`: citadel's notify in the user's config, unless it has one. True when added. */
export async function addCodexNotify(env: NodeJS.ProcessEnv): Promise<boolean> {
  const file = codexConfigFile(env);
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (/^\s*notify\s*=/m.test(text)) return false;
  // A top-level key goes before the first table.
  await writeAtomically(file, `${codexUserNotify}\n${text}`);
  return true;
}

/**
 * At a polecat's pane start: when the user opted in for `agent`, trusts its worktree, and
 * returns the environment the agent needs for it. Nothing otherwise.
 */
export async function prepareTrust(citadelDir: string, agent: string, worktree: string, env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  if (!(trustableAgents as readonly string[]).includes(agent) || !(await trustsWorktrees(citadelDir, agent))) return {};
  if (agent === 'gemini') return { GEMINI_CLI_TRUST_WORKSPACE: 'true' };
  await applyTrust(agent as TrustableAgent, [worktree], env);
  return {};
}

async function trustClaude(paths: readonly string[], file: string): Promise<string[]> {
  let config: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new CitadelError('invalid', `${file}: not valid JSON (${(error as Error).message}); left as it is`);
    }
  }
  const projects = { ...((config.projects as Record<string, Record<string, unknown>> | undefined) ?? {}) };
  const changed = paths.filter((path) => projects[path]?.hasTrustDialogAccepted !== true || projects[path]?.hasCompletedProjectOnboarding !== true);
  if (changed.length === 0) return [];
  for (const path of changed) projects[path] = { ...(projects[path] ?? {}), hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true };
  await writeAtomically(file, `${JSON.stringify({ ...config, projects }, null, 2)}\n`);
  return changed;
}

async function trustCodex(paths: readonly string[], file: string): Promise<string[]> {
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  // A TOML basic string is JSON's string syntax for paths: quotes and backslashes escaped.
  const changed = paths.filter((path) => !text.includes(`[projects.${JSON.stringify(path)}]`));
  if (changed.length === 0) return [];
  const added = changed.map((path) => `\n[projects.${JSON.stringify(path)}]\ntrust_level = "trusted"\n`).join('');
  await writeAtomically(file, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${added}`);
  return changed;
}

/** Written aside and renamed over, keeping the file's mode (~/.claude.json is private: 0600 when new). */
async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const mode = await stat(file).then((s) => s.mode & 0o777, () => 0o600);
  const temporary = `${file}.citadel-${process.pid}.tmp`;
  await writeFile(temporary, text, { mode });
  await chmod(temporary, mode);
  await rename(temporary, file);
}
