import { closeSync, constants, openSync } from 'node:fs';
import type * as NodePty from 'node-pty';
import { CitadelError } from '../common/errors.js';
import { findExecutable } from './executable.js';
import type { Pty, PtySpawnOptions, SpawnPty } from './pty.js';

type NodePtyModule = typeof NodePty;

let loaded: Promise<NodePtyModule> | undefined;

/**
 * Loads node-pty (a native addon: loaded lazily, never on the path of data commands) and
 * returns a `SpawnPty` that starts argv arrays on real pseudo-terminals. The executable is
 * checked first, so a missing agent is one clear sentence rather than a pane that dies.
 */
export async function loadNodePty(): Promise<SpawnPty> {
  loaded ??= import('node-pty').then((mod) => ((mod as { default?: NodePtyModule }).default ?? mod));
  const nodePty = await loaded;
  return (argv, options) => spawnWith(nodePty, argv, options);
}

function spawnWith(nodePty: NodePtyModule, argv: readonly string[], options: PtySpawnOptions): Pty {
  const [command, ...args] = argv;
  if (!command) throw new CitadelError('invalid', 'nothing to run: the command line is empty');
  const file = findExecutable(command, { cwd: options.cwd, path: options.env.PATH });
  if (!file) {
    throw new CitadelError('not_found', `\`${command}\` is not installed (not found on PATH): install it, or choose another agent with --agent or -- ARGV`);
  }
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.env)) if (value !== undefined) env[key] = value;
  env.TERM = options.term ?? 'xterm-256color';
  const child = nodePty.spawn(file, args, {
    name: env.TERM,
    cols: options.cols,
    rows: options.rows,
    cwd: options.cwd,
    env,
    encoding: 'utf8',
  });
  // node-pty reads the master until EOF, and Linux reports EOF on a non-blocking read as soon as
  // the program's side closes, dropping up to a kernel buffer of its last output (`seq 1 300000`
  // loses ~9 KB). Holding the slave open ourselves keeps the master readable until node-pty's
  // post-exit grace period (200 ms) has read the tail; it is closed at the exit.
  const slave = holdSlave((child as unknown as { ptsName?: string }).ptsName);
  const released = child.onExit(() => {
    released.dispose();
    if (slave !== undefined) closeSync(slave);
  });
  return {
    pid: child.pid,
    onData: (listener) => child.onData(listener),
    onExit: (listener) =>
      child.onExit(({ exitCode, signal }) => listener({ exitCode: signal ? null : exitCode, signal: signal || undefined })),
    write: (data) => child.write(data),
    resize: (cols, rows) => child.resize(cols, rows),
    kill: (signal) => child.kill(signal ?? 'SIGHUP'),
    pause: () => child.pause(),
    resume: () => child.resume(),
  };
}

function holdSlave(path: string | undefined): number | undefined {
  if (!path) return undefined;
  try {
    return openSync(path, constants.O_RDWR | constants.O_NOCTTY);
  } catch {
    return undefined;
  }
}
