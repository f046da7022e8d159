import { execFile, execFileSync } from 'node:child_process';
import { CitadelError } from '../common/errors.js';

/** What one git invocation returned. */
export interface GitResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Environment for every git call: no prompts, no pager, messages in C so they can be read,
 * and no inherited `GIT_DIR`-style variables that would point git at another repository
 * (a polecat runs with its worktree as cwd; hooks may export these).
 */
function gitEnv(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C', LANG: 'C', ...extra };
  for (const key of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_COMMON_DIR']) delete env[key];
  return env;
}

/**
 * Runs `git ARGS` in `cwd` (an argv array, never a shell string) and resolves with its exit
 * code and output; never rejects on a non-zero exit. Plain `node:child_process` rather than
 * execa or simple-git: `citadel done` is a data command whose start-up budget cannot pay for
 * loading either library (docs/refinery.md).
 */
export function gitRun(cwd: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; input?: string; signal?: AbortSignal } = {}): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', [...args], { cwd, env: gitEnv(options.env), maxBuffer: 256 * 1024 * 1024, encoding: 'utf8', signal: options.signal }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new CitadelError('io', `could not run git ${args[0] ?? ''} in ${cwd}: ${error.message}`));
        return;
      }
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** Runs git and returns trimmed stdout; a non-zero exit throws a CitadelError quoting git's message. */
export async function git(cwd: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<string> {
  const result = await gitRun(cwd, args, options);
  if (result.code !== 0) {
    const message = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-3).join(' / ');
    throw new CitadelError('failed', `git ${args.join(' ')} failed in ${cwd}: ${message}`);
  }
  return result.stdout.replace(/\n$/, '');
}

/**
 * The synchronous form of `git`, for the few callers that cannot be async (`citadel init`'s
 * town creation): trimmed stdout, or undefined when git exits non-zero or cannot run.
 */
export function gitSync(cwd: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): string | undefined {
  try {
    return execFileSync('git', [...args], { cwd, env: gitEnv(options.env), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 }).replace(/\n$/, '');
  } catch {
    return undefined;
  }
}

/** Runs git with a deadline and returns its stdout lines, or undefined when it failed (non-zero, timeout, not a repository). */
export async function gitLines(cwd: string, args: readonly string[], timeoutMs = 10_000): Promise<string[] | undefined> {
  const timer = new AbortController();
  const timeout = setTimeout(() => timer.abort(), timeoutMs);
  try {
    const result = await gitRun(cwd, args, { signal: timer.signal });
    return result.code === 0 ? result.stdout.split('\n').filter(Boolean) : undefined;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timeout);
  }
}
