import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { gitEnv } from './git.js';

/** The real built binary (npm test builds before it runs vitest). */
export const citadelBin = fileURLToPath(new URL('../../bin/citadel.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `citadel ARGS` as a fresh process, as an agent or a script would. Never throws on a non-zero exit. */
export function runCli(
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [citadelBin, ...args],
      {
        cwd: options.cwd,
        env: { ...process.env, ...gitEnv, CITADEL_ACTOR: '', CITADEL_POLECAT: '', CITADEL_TOWN: '', NO_COLOR: '1', ...options.env },
        timeout: options.timeoutMs ?? 30_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** Runs the CLI and parses stdout as JSON, failing loudly with stderr when the exit code is not 0. */
export async function runJson<T = unknown>(args: readonly string[], options: Parameters<typeof runCli>[1]): Promise<T> {
  const result = await runCli([...args, '--json'], options);
  if (result.code !== 0) throw new Error(`citadel ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}
