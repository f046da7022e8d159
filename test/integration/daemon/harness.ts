import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type DaemonClient } from '../../../src/daemon/client.js';
import type { RowFrame } from '../../../src/daemon/protocol.js';
import { runCli } from '../../helpers/cli.js';
import { git, makeRepo } from '../../helpers/git.js';
import { tempDir, waitFor } from '../../helpers/temp.js';

/** A town (a real git repo, `citadel init`-ed) with its own private runtime dir, and cleanup. */
export interface TestTown {
  root: string;
  runtime: string;
  env: NodeJS.ProcessEnv;
  cli(args: string[], timeoutMs?: number): ReturnType<typeof runCli>;
  client(name?: string): Promise<DaemonClient>;
  dispose(): Promise<void>;
}

/** `env`: more variables for every CLI call and so for the daemon they start (e.g. a PATH with stand-in agents). */
export async function makeTown(options: { env?: NodeJS.ProcessEnv } = {}): Promise<TestTown> {
  const repo = makeRepo();
  const runtimeParent = tempDir('citadel-rt-');
  const runtime = join(runtimeParent.path, 'rt');
  mkdirSync(runtime, { mode: 0o700 });
  chmodSync(runtime, 0o700);
  const env = { ...options.env, CITADEL_RUNTIME_DIR: runtime };
  const clients: DaemonClient[] = [];
  const cli = (args: string[], timeoutMs?: number) => runCli(args, { cwd: repo.path, env, ...(timeoutMs ? { timeoutMs } : {}) });
  const init = await cli(['init']);
  if (init.code !== 0) throw new Error(`citadel init failed: ${init.stderr}`);
  git(repo.path, 'add', '-A');
  git(repo.path, 'commit', '-q', '-m', 'citadel init', '--allow-empty');
  return {
    root: repo.path,
    runtime,
    env: { ...process.env, ...env },
    cli,
    client: async (name = 'test') => {
      const client = await connect(repo.path, { env: { ...process.env, ...env }, client: name });
      clients.push(client);
      return client;
    },
    dispose: async () => {
      for (const client of clients) client.close();
      const status = await cli(['daemon', 'status', '--json']);
      const pid = status.code === 0 ? (JSON.parse(status.stdout) as { pid?: number }).pid : undefined;
      await cli(['daemon', 'stop']);
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone, as it should be
        }
      }
      repo.dispose();
      runtimeParent.dispose();
    },
  };
}

/** A client-side screen rebuilt from row frames, as the TUI would hold it. */
export class FrameScreen {
  rows: string[] = [];
  frames = 0;
  apply = (frame: RowFrame): void => {
    this.frames++;
    if (frame.full) this.rows = new Array<string>(frame.rows).fill('');
    for (const [y, text] of frame.lines) this.rows[y] = text;
  };
  text(): string {
    return this.rows.map((row) => row.replace(/\x1b\[[0-9;]*m/g, '').trimEnd()).join('\n');
  }
  has(text: string): boolean {
    return this.text().includes(text);
  }
}

export { waitFor };

/** Runs `citadel ARGS --json` in the town and parses its output, failing with stderr on a non-zero exit. */
export async function json<T>(t: TestTown, args: string[]): Promise<T> {
  const result = await t.cli([...args, '--json']);
  if (result.code !== 0) throw new Error(`citadel ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}
