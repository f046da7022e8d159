import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { runCli, type CliResult } from '../../helpers/cli.js';
import { git, gitEnv } from '../../helpers/git.js';
import { tempDir } from '../../helpers/temp.js';

/**
 * Two clones of one repository, each its own town (`citadel init`), with a bare repository as
 * their shared remote `origin`: the setup of docs/federation.md, built with real git.
 */
export interface TwoTowns {
  readonly hub: string;
  readonly a: string;
  readonly b: string;
  cli(town: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<CliResult>;
  ok(town: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<string>;
  json<T>(town: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<T>;
  /** Syncs a, b, then a again: after that both hold every write either made before. */
  syncAll(): Promise<void>;
  dispose(): void;
}

export async function makeTwoTowns(): Promise<TwoTowns> {
  const dir = tempDir('citadel-fed-');
  const hub = join(dir.path, 'hub.git');
  const seed = join(dir.path, 'seed');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', hub]);
  execFileSync('git', ['init', '-q', '-b', 'main', seed]);
  git(seed, 'commit', '-q', '--allow-empty', '-m', 'initial commit');
  git(seed, 'push', '-q', hub, 'main');
  const a = join(dir.path, 'a');
  const b = join(dir.path, 'b');
  for (const clone of [a, b]) execFileSync('git', ['clone', '-q', hub, clone], { env: { ...process.env, ...gitEnv } });
  const cli = (town: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<CliResult> => runCli(args, { cwd: town, env, timeoutMs: 60_000 });
  const ok = async (town: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<string> => {
    const result = await cli(town, args, env);
    if (result.code !== 0) throw new Error(`citadel ${args.join(' ')} in ${town} exited ${result.code}: ${result.stderr}`);
    return result.stdout;
  };
  const json = async <T>(town: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<T> => JSON.parse(await ok(town, [...args, '--json'], env)) as T;
  await ok(a, ['init']);
  await ok(b, ['init']);
  return {
    hub,
    a,
    b,
    cli,
    ok,
    json,
    async syncAll() {
      await ok(a, ['sync']);
      await ok(b, ['sync']);
      await ok(a, ['sync']);
    },
    dispose: dir.dispose,
  };
}

export interface BeadJson {
  id: string;
  title: string;
  priority: number;
  status: string;
  assignee: string | null;
  labels: string[];
  [key: string]: unknown;
}
