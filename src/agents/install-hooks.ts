import { execFile } from 'node:child_process';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CitadelError } from '../common/errors.js';
import { mergeClaudeSettings, type ClaudeSettings } from './claude-hooks.js';
import { codexNotifyArgs } from './codex-notify.js';

const run = promisify(execFile);

/** How an agent reports its own status: the hook systems citadel knows how to install. */
export type HookKind = 'claude' | 'codex';

/** The presets whose agents have hooks, by preset name. Others fall back to screen patterns. */
export const presetHookKinds: Readonly<Record<string, HookKind>> = { claude: 'claude', codex: 'codex' };

export interface InstallOptions {
  /** The hook system, when the preset's name does not say it (a custom preset of Claude Code…). */
  hooks?: HookKind | undefined;
  /** How hooks run citadel (argv); default `citadel`, found on the polecat's PATH. */
  citadel?: readonly string[] | undefined;
  /** The command line, for a custom one (`sling -- claude …`): its program's name picks the hooks. */
  argv?: readonly string[] | undefined;
}

export interface InstalledHooks {
  /** The hook system installed, or null for an agent without one. */
  readonly kind: HookKind | null;
  /** Files written in the worktree. */
  readonly files: readonly string[];
  /** Arguments to insert in the agent's argv right after the program (Codex's `-c notify=…`). */
  readonly args: readonly string[];
}

/** Claude Code's per-checkout settings, never committed. */
export const claudeSettingsPath = join('.claude', 'settings.local.json');

/**
 * Installs an agent's own status hooks for a polecat, at sling time: for Claude Code, hooks in
 * the worktree's `.claude/settings.local.json` (merged with what is there; git-excluded so the
 * agent never commits it); for Codex, the notify override to add to its argv. Idempotent.
 */
export async function installAgentHooks(worktreePath: string, presetName: string, options: InstallOptions = {}): Promise<InstalledHooks> {
  const kind = hookKindFor(presetName, options);
  const citadel = options.citadel ?? ['citadel'];
  if (kind === 'codex') return { kind, files: [], args: codexNotifyArgs(citadel) };
  if (kind !== 'claude') return { kind: null, files: [], args: [] };
  const file = join(worktreePath, claudeSettingsPath);
  const merged = mergeClaudeSettings(await readSettings(file), citadel);
  await mkdir(dirname(file), { recursive: true });
  // Written aside then renamed: Claude Code may be reading it, and a half-written file is worse than none.
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(merged, null, 2)}\n`);
  await rename(temporary, file);
  await excludeFromGit(worktreePath, `/${claudeSettingsPath}`);
  return { kind, files: [file], args: [] };
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
 * installs its hooks and returns the argv to spawn. A hook that cannot be installed (say, an
 * unreadable settings file) must not keep the polecat from starting: it is reported through
 * `warn` and the agent runs without it, watched through its screen as before.
 */
export async function launchWithHooks(
  worktreePath: string,
  agent: string,
  argv: readonly string[],
  options: Omit<InstallOptions, 'argv'> & { warn?: (message: string) => void } = {},
): Promise<string[]> {
  try {
    return withHookArgs(argv, await installAgentHooks(worktreePath, agent, { ...options, argv }));
  } catch (error) {
    options.warn?.(`status hooks not installed for ${agent} in ${worktreePath}: ${(error as Error).message}`);
    return [...argv];
  }
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

/** Adds a pattern to the repository's shared exclude file (every worktree reads it). */
async function excludeFromGit(worktreePath: string, pattern: string): Promise<void> {
  let commonDir: string;
  try {
    const { stdout } = await run('git', ['rev-parse', '--git-common-dir'], { cwd: worktreePath });
    commonDir = resolve(worktreePath, stdout.trim());
  } catch {
    return; // not a git checkout: nothing to exclude from
  }
  const exclude = join(commonDir, 'info', 'exclude');
  let text = '';
  try {
    text = await readFile(exclude, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text.split('\n').includes(pattern)) return;
  await mkdir(dirname(exclude), { recursive: true });
  await writeFile(exclude, `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${pattern}\n`);
}
