import { execFileSync } from 'node:child_process';
import { connect } from '../../../src/daemon/client.js';
import type { PaneInfo } from '../../../src/daemon/protocol.js';
import { citadelBin, runCli } from '../../helpers/cli.js';
import { makeRepo } from '../../helpers/git.js';

/** A fresh town (a git repo with `citadel init`) whose daemon is stopped on dispose. */
export async function makeTown(): Promise<{ path: string; spawn: (id: string, argv: string[], size?: { cols: number; rows: number }) => Promise<PaneInfo>; dispose: () => Promise<void> }> {
  const repo = makeRepo();
  const init = await runCli(['init'], { cwd: repo.path });
  if (init.code !== 0) throw new Error(`citadel init failed: ${init.stderr}`);
  return {
    path: repo.path,
    /** Starts a plain pane in the town's daemon (starting the daemon if needed). */
    async spawn(id, argv, size = { cols: 80, rows: 24 }) {
      const started = await runCli(['daemon', 'start'], { cwd: repo.path });
      if (started.code !== 0) throw new Error(`daemon start failed: ${started.stderr}`);
      const client = await connect(repo.path, { client: 'test' });
      try {
        return await client.request('spawn', { id, argv, cwd: repo.path, env: { TERM: 'xterm-256color' }, ...size });
      } finally {
        client.close();
      }
    },
    async dispose() {
      await runCli(['daemon', 'stop'], { cwd: repo.path });
      repo.dispose();
    },
  };
}

/** The command line that runs the built citadel in `cwd`, then reports how it ended and the tty's modes. */
export function citadelCommand(cwd: string, args: string[] = []): string {
  const node = process.execPath;
  return `cd '${cwd}' && '${node}' '${citadelBin}' ${args.join(' ')}; echo "EXIT=$?"; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e echo -e -icanon -e -echo | tr '\\n' ' '; echo; exec sleep 600`;
}

/** The pid of the citadel process running under the session's shell. */
export function childPid(shellPid: string): number {
  const out = execFileSync('ps', ['-o', 'pid=', '--ppid', shellPid], { encoding: 'utf8' }).trim().split('\n')[0]!;
  return Number(out.trim());
}
