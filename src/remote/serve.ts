import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { CitadelError } from '../common/errors.js';
import { ensureHostDir, hostDir, type HostDir } from './host-dir.js';
import { answers, Keeper } from './keeper.js';

/** The citadel running this process, as an argv prefix (node and its script). */
export function selfArgv(): string[] {
  return [process.execPath, process.argv[1] ?? 'citadel'];
}

/**
 * `citadel host serve --dir PATH` — what the home daemon's `ssh` runs: makes sure the keeper
 * for PATH runs (starting it detached, in its own session, so it outlives this connection),
 * then relays stdin/stdout to its socket byte for byte until either side closes. When the
 * ssh connection drops, sshd ends this process; the keeper and its agents carry on.
 */
export async function serve(path: string): Promise<void> {
  const dir = hostDir(path);
  ensureHostDir(dir);
  if (!(await answers(dir.socket))) await startKeeper(dir);
  const socket = await connectWithin(dir.socket, 10_000);
  await new Promise<void>((resolve) => {
    process.stdin.pipe(socket);
    socket.pipe(process.stdout);
    const finish = (): void => resolve();
    process.stdin.once('end', () => socket.end());
    socket.once('close', finish);
    process.stdout.once('error', () => socket.destroy());
  });
}

async function startKeeper(dir: HostDir): Promise<void> {
  const log = openSync(dir.log, 'a', 0o600);
  try {
    const child = spawn(process.execPath, [...selfArgv().slice(1), 'host', 'keeper', '--dir', dir.root], {
      detached: true,
      stdio: ['ignore', log, log],
      cwd: dir.root,
      env: process.env,
    });
    child.unref();
  } finally {
    closeSync(log);
  }
}

async function connectWithin(path: string, ms: number): Promise<Socket> {
  const deadline = Date.now() + ms;
  for (;;) {
    const socket = await new Promise<Socket | undefined>((resolve) => {
      const s = createConnection(path);
      s.once('connect', () => resolve(s));
      s.once('error', () => resolve(undefined));
    });
    if (socket) return socket;
    if (Date.now() > deadline) throw new CitadelError('failed', `the keeper did not start on the host within ${ms / 1000} s (see ${path.replace(/keeper\.sock$/, 'keeper.log')})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `citadel host keeper --dir PATH`: the keeper itself, in the foreground (serve starts it). */
export async function runKeeper(path: string): Promise<void> {
  const dir = hostDir(path);
  const log = (line: string): void => {
    process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  };
  const keeper = new Keeper(dir, log, selfArgv());
  try {
    await keeper.listen();
  } catch (error) {
    if (error instanceof CitadelError && error.code === 'conflict') return; // another serve started it first
    throw error;
  }
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void keeper.stop().then(resolve));
    process.on('SIGHUP', () => undefined);
  });
  // Stopped by a signal: nothing of the keeper's is left to wait for.
  process.exit(0);
}
