import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { addExcludeLines } from '../git/exclude.js';
import { gitRun } from '../git/run.js';
import { mergeClaudeSettings, type ClaudeSettings } from './claude-hooks.js';
import { codexConfigMarker, codexProjectConfig } from './codex-hooks.js';
import { geminiSettings } from './gemini-hooks.js';
import { opencodeConfigContent, opencodePlugin } from './opencode-plugin.js';


/** How an agent reports its own status: the hook systems citadel knows how to install. */
export type HookKind = 'claude' | 'codex' | 'gemini' | 'opencode';

/** The presets whose agents have hooks, by preset name. Others fall back to screen patterns. */
export const presetHookKinds: Readonly<Record<string, HookKind>> = { claude: 'claude', codex: 'codex', gemini: 'gemini', opencode: 'opencode' };

export interface InstallOptions {
  /** The hook system, when the preset's name does not say it (a custom preset of Claude Code…). */
  hooks?: HookKind | undefined;
  /** How hooks run citadel (argv); default `citadel`, found on the polecat's PATH. */
  citadel?: readonly string[] | undefined;
  /** The command line, for a custom one (`sling -- claude …`): its program's name picks the hooks. */
  argv?: readonly string[] | undefined;
  /** The town's run folder (`.citadel/run`), for files that are not the worktree's. */
  runDir?: string | undefined;
  /** Config `agentSelfUpdate`: false (the default) switches the agents' self-update off. */
  selfUpdate?: boolean | undefined;
  /** The environment the agent would otherwise get. */
  baseEnv?: NodeJS.ProcessEnv | undefined;
}

export interface InstalledHooks {
  /** The hook system installed, or null for an agent without one. */
  readonly kind: HookKind | null;
  /** Files written. */
  readonly files: readonly string[];
  /** Arguments to insert in the agent's argv right after the program (none today: see codex-hooks.ts). */
  readonly args: readonly string[];
  /** Environment the agent needs for them. */
  readonly env: Readonly<Record<string, string>>;
}

/** Claude Code's per-checkout settings, never committed. */
export const claudeSettingsPath = join('.claude', 'settings.local.json');
/** Gemini CLI's workspace settings. */
export const geminiSettingsPath = join('.gemini', 'settings.json');
/** Codex's project config. */
export const codexConfigPath = join('.codex', 'config.toml');

/**
 * Installs an agent's own status hooks for a polecat, at every pane start (docs/agents.md):
 * Claude Code — hooks in the worktree's `.claude/settings.local.json`; Codex — a
 * `.codex/config.toml` unless the project has its own (no hooks: codex-hooks.ts); Gemini CLI — hooks in the
 * worktree's `.gemini/settings.json` unless the repository tracks one; opencode — a plugin
 * file named in `OPENCODE_CONFIG_CONTENT`. Files in the worktree are merged with what is there and git-excluded,
 * so the agent never commits them. Idempotent.
 */
export async function installAgentHooks(worktreePath: string, presetName: string, options: InstallOptions = {}): Promise<InstalledHooks> {
  const kind = hookKindFor(presetName, options);
  const citadel = options.citadel ?? ['citadel'];
  const selfUpdate = options.selfUpdate ?? false;
  switch (kind) {
    case 'claude': {
      const file = join(worktreePath, claudeSettingsPath);
      await writeAtomically(file, `${JSON.stringify(mergeClaudeSettings(await readSettings(file), citadel), null, 2)}\n`);
      await excludeFromGit(worktreePath, `/${claudeSettingsPath}`);
      return { kind, files: [file], args: [], env: {} };
    }
    case 'codex': {
      // No hooks.json: Codex would open every new worktree on its "Hooks need review" dialog
      // (codex-hooks.ts). Its status comes from the user's notify and from the screen.
      const files: string[] = [];
      const config = join(worktreePath, codexConfigPath);
      if (!existsSync(config) || (await readFile(config, 'utf8')).startsWith(codexConfigMarker)) {
        await writeAtomically(config, codexProjectConfig(selfUpdate));
        await excludeFromGit(worktreePath, `/${codexConfigPath}`);
        files.push(config);
      }
      return { kind, files, args: [], env: {} };
    }
    case 'gemini': {
      // The worktree's own settings (Gemini runs them in a trusted folder only, after one
      // non-blocking "project-level hooks detected" warning); never a file the repository tracks.
      const file = join(worktreePath, geminiSettingsPath);
      if (await isTracked(worktreePath, geminiSettingsPath)) return { kind, files: [], args: [], env: {} };
      await writeAtomically(file, `${JSON.stringify(geminiSettings(await readSettings(file), citadel, selfUpdate), null, 2)}\n`);
      await excludeFromGit(worktreePath, `/${geminiSettingsPath}`);
      return { kind, files: [file], args: [], env: {} };
    }
    case 'opencode': {
      // Not in the worktree's .opencode/: opencode npm-installs its plugin package into every
      // config folder it loads, at every start (measured: over a minute per fresh worktree). A
      // plugin named in OPENCODE_CONFIG_CONTENT is a file, loaded without that install.
      const file = options.runDir ? join(options.runDir, 'agents', 'opencode-citadel-status.js') : join(tmpdir(), `citadel-${process.getuid?.() ?? 'user'}`, 'opencode-citadel-status.js');
      await writeAtomically(file, opencodePlugin(citadel));
      return { kind, files: [file], args: [], env: { OPENCODE_CONFIG_CONTENT: opencodeConfigContent(options.baseEnv?.OPENCODE_CONFIG_CONTENT, file) } };
    }
    case null:
      return { kind: null, files: [], args: [], env: {} };
  }
}

/** The hook system for a preset (or a custom command line whose program is a known agent). */
export function hookKindFor(presetName: string, options: Pick<InstallOptions, 'hooks' | 'argv'> = {}): HookKind | null {
  if (options.hooks) return options.hooks;
  if (Object.hasOwn(presetHookKinds, presetName)) return presetHookKinds[presetName]!;
  const program = options.argv?.[0] ? basename(options.argv[0]) : '';
  return Object.hasOwn(presetHookKinds, program) ? presetHookKinds[program]! : null;
}

/** The agent's argv with the hook arguments inserted right after the program. */
export function withHookArgs(argv: readonly string[], installed: Pick<InstalledHooks, 'args'>): string[] {
  return installed.args.length === 0 || argv.length === 0 ? [...argv] : [argv[0]!, ...installed.args, ...argv.slice(1)];
}

/**
 * The one call for whoever starts an agent's pane (the daemon, at sling, restart and recovery):
 * installs its hooks and returns the argv to spawn and the environment to add. A hook that
 * cannot be installed (say, an unreadable settings file) must not keep the polecat from
 * starting: it is reported through `warn` and the agent runs without it, watched through its
 * screen as before.
 */
export async function launchWithHooks(
  worktreePath: string,
  agent: string,
  argv: readonly string[],
  options: Omit<InstallOptions, 'argv'> & { warn?: (message: string) => void } = {},
): Promise<{ argv: string[]; env: Record<string, string> }> {
  try {
    const installed = await installAgentHooks(worktreePath, agent, { ...options, argv });
    return { argv: withHookArgs(argv, installed), env: { ...installed.env } };
  } catch (error) {
    options.warn?.(`status hooks not installed for ${agent} in ${worktreePath}: ${(error as Error).message}`);
    return { argv: [...argv], env: {} };
  }
}

/** Written aside then renamed: the agent may be reading it, and a half-written file is worse than none. */
async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}

async function readSettings(file: string): Promise<ClaudeSettings> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('expected a JSON object');
    return parsed as ClaudeSettings;
  } catch (error) {
    throw new CitadelError('invalid', `${file}: not valid settings JSON (${(error as Error).message}); fix or remove it, then sling again`);
  }
}

/** Whether git tracks `path` in the worktree (a file of the project's own, not to be edited). */
async function isTracked(worktreePath: string, path: string): Promise<boolean> {
  try {
    return (await gitRun(worktreePath, ['ls-files', '--error-unmatch', '--', path])).code === 0;
  } catch {
    return false;
  }
}

/** Adds a pattern to the repository's shared exclude file (every worktree reads it). */
async function excludeFromGit(worktreePath: string, pattern: string): Promise<void> {
  const result = await gitRun(worktreePath, ['rev-parse', '--git-common-dir']).catch(() => undefined);
  if (!result || result.code !== 0) return; // not a git checkout: nothing to exclude from
  addExcludeLines(join(resolve(worktreePath, result.stdout.trim()), 'info', 'exclude'), [pattern], 'citadel: agent settings of polecat worktrees');
}
