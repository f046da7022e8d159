import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CitadelError } from '../common/errors.js';
import { townPaths } from '../town/paths.js';
import { connect, type DaemonClient } from './client.js';
import { instanceLockHolder } from './instance-lock.js';
import type { StatusResult } from './protocol.js';
import { daemonLockPath, daemonPaths, ensurePrivateDir, readDaemonRecord } from './runtime-dir.js';
import { isAlive } from '../common/process.js';

/** The citadel entry point the daemon is started from. */
const citadelBin = fileURLToPath(new URL('../../bin/citadel.js', import.meta.url));

/**
 * What `daemon status` prints: where the daemon is, and, when it answers, its `status` verb's
 * result (protocol.ts `StatusResult`, declared there once) with `running` renamed `running_panes`.
 */
export type DaemonStatus = Partial<Omit<StatusResult, 'running'>> & {
  running: boolean;
  town: string;
  socket: string;
  running_panes?: number;
  log: string;
  /** False when a daemon holds the town's lock but does not answer (`problem` says why). */
  answering?: boolean;
  problem?: string;
  /** Not answering because its socket file is gone: `citadel daemon start` (SIGUSR1) makes it again. */
  socketGone?: boolean;
};

export interface LifecycleOptions {
  env?: NodeJS.ProcessEnv;
  /** How long to wait for a new daemon to answer. */
  timeoutMs?: number;
}

/** Where a town's detached daemon writes its log. */
export const daemonLog = (townRoot: string): string => join(townPaths(townRoot).run, 'daemon.log');

/**
 * Makes sure the town's daemon runs, starting it detached (`citadel daemon run`, logging to
 * `.citadel/run/daemon.log`) when it does not, and returns a connection to it. Used by
 * `sling`, `daemon start` and the TUI. Two callers racing start one daemon: the other fails
 * on the town's lock and both connect to the winner.
 */
export async function ensureDaemon(townRoot: string, options: LifecycleOptions & { client?: string } = {}): Promise<{ client: DaemonClient; started: boolean }> {
  const env = options.env ?? process.env;
  const client = options.client ?? 'cli';
  const found = await reach(townRoot, env, client);
  if ('client' in found) return { client: found.client, started: false };
  if ('stuck' in found) {
    // Its socket was removed (a tmp cleaner): it makes it again on SIGUSR1, polecats untouched.
    const again = found.stuck.socketGone ? await relisten(townRoot, env, client, found.stuck, options.timeoutMs ?? 10_000) : undefined;
    if (again) return { client: again, started: false };
    throw stuckError(townRoot, found.stuck);
  }
  // Refuse a bad runtime directory here, in the caller's terminal, not in the detached log.
  ensurePrivateDir(daemonPaths(townRoot, env).dir);
  const log = daemonLog(townRoot);
  mkdirSync(join(townRoot, '.citadel', 'run'), { recursive: true });
  const logStart = sizeOf(log);
  const fd = openSync(log, 'a', 0o600);
  let exited: string | undefined;
  let childPid: number | undefined;
  try {
    // V8's young generation at 4 MB semi-spaces instead of 16: the daemon's allocations are
    // short-lived (row strings, frames), and 16 MB semi-spaces held ~25 MB more of RSS (docs/daemon.md, "Memory").
    const child = spawn(process.execPath, ['--max-semi-space-size=4', citadelBin, 'daemon', 'run', '--town', townRoot], {
      cwd: townRoot,
      env: { ...env, CITADEL_ACTOR: '', CITADEL_POLECAT: '' },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    childPid = child.pid;
    child.once('exit', (code) => (exited = `exited with code ${code ?? 'null'}`));
    child.unref();
  } finally {
    closeSync(fd);
  }
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    try {
      const connected = await connect(townRoot, { env, client });
      // Whether ours won: another caller's daemon may have taken the lock first.
      return { client: connected, started: connected.welcome.pid === childPid };
    } catch (error) {
      if (!(error instanceof CitadelError) || error.code !== 'unavailable') throw error;
    }
    // A racing start that lost the town's lock exits at once: the winner is still starting up.
    const lostRace = exited !== undefined && readFileSync(log, 'utf8').slice(logStart).includes('a daemon is already running');
    if ((exited && !lostRace) || Date.now() > deadline) {
      // A racing start may have won: one last try before reporting.
      try {
        return { client: await connect(townRoot, { env, client }), started: false };
      } catch {
        // The daemon's own error line (`citadel: …`), not the stack frames under it.
        const lines = readFileSync(log, 'utf8').slice(logStart).trim().split('\n');
        const tail = lines.find((line) => line.startsWith('citadel:'))?.replace(/^citadel: /, '') ?? lines.slice(-3).join(' | ');
        throw new CitadelError('failed', `the daemon did not start (${exited ?? 'no answer'}): ${tail || `see ${log}`}`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The daemon's status, or `running: false`. */
export async function daemonStatus(townRoot: string, options: LifecycleOptions = {}): Promise<DaemonStatus> {
  const env = options.env ?? process.env;
  const base = { town: townRoot, socket: readDaemonRecord(townRoot)?.socket ?? daemonPaths(townRoot, env).socket, log: daemonLog(townRoot) };
  const found = await reach(townRoot, env, 'cli');
  if ('none' in found) return { running: false, ...base };
  if ('stuck' in found) {
    return { running: true, ...base, ...(found.stuck.pid ? { pid: found.stuck.pid } : {}), answering: false, problem: found.stuck.reason, ...(found.stuck.socketGone ? { socketGone: true } : {}) };
  }
  const client = found.client;
  try {
    const status = await client.request('status');
    const { running, ...rest } = status;
    return { ...base, ...rest, running: true, running_panes: running, answering: true };
  } finally {
    client.close();
  }
}

/** Stops the daemon (its polecats stop with it; see docs/daemon.md) and waits until it is gone. */
export async function stopDaemon(townRoot: string, options: LifecycleOptions = {}): Promise<{ stopped: boolean; pid?: number }> {
  const env = options.env ?? process.env;
  const found = await reach(townRoot, env, 'cli');
  if ('none' in found) return { stopped: false };
  if ('stuck' in found) return stopByPid(townRoot, found.stuck, options.timeoutMs ?? 15_000);
  const client = found.client;
  const pid = client.welcome.pid;
  const gone = new Promise<void>((resolve) => client.on('close', resolve));
  await client.request('stop');
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([gone, new Promise((resolve) => (timer = setTimeout(resolve, options.timeoutMs ?? 15_000)))]);
  clearTimeout(timer);
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  client.close();
  return { stopped: true, pid };
}

interface Stuck {
  pid: number | undefined;
  reason: string;
  /** The daemon recorded where it listens, and that socket file is gone. */
  socketGone?: boolean;
}

/**
 * Asks a live daemon whose socket file is gone to listen again (SIGUSR1, as tmux), and connects
 * to it once it does. Undefined when it does not answer within `timeoutMs`.
 */
async function relisten(townRoot: string, env: NodeJS.ProcessEnv, client: string, stuck: Stuck, timeoutMs: number): Promise<DaemonClient | undefined> {
  if (!stuck.pid) return undefined;
  try {
    process.kill(stuck.pid, 'SIGUSR1');
  } catch {
    return undefined;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      return await connect(townRoot, { env, client });
    } catch (error) {
      if (!(error instanceof CitadelError) || error.code !== 'unavailable') throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

/**
 * Finds the town's daemon: a connection to it; `none` when no daemon holds the town's lock;
 * `stuck` when one holds it but does not answer (its socket was removed, say). A daemon that
 * holds the lock but has not yet recorded where it listens is starting: waited for, a while.
 */
async function reach(townRoot: string, env: NodeJS.ProcessEnv, client: string, startingMs = 10_000): Promise<{ client: DaemonClient } | { none: true } | { stuck: Stuck }> {
  const deadline = Date.now() + startingMs;
  for (;;) {
    let reason: string;
    try {
      return { client: await connect(townRoot, { env, client }) };
    } catch (error) {
      if (!(error instanceof CitadelError) || error.code !== 'unavailable') throw error;
      reason = error.message;
    }
    const holder = instanceLockHolder(daemonLockPath(townRoot));
    if (!holder) return { none: true };
    const record = readDaemonRecord(townRoot);
    const listening = record !== undefined && record.pid === holder.pid;
    if (listening || Date.now() > deadline) {
      const where = record ? `does not answer on ${record.socket}` : 'has not said where it listens';
      const socketGone = listening && !existsSync(record.socket);
      return { stuck: { pid: holder.pid, reason: `${where} (${reason.replace(/^no daemon is running.*/, 'the socket is gone')})`, socketGone } };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function stuckError(townRoot: string, stuck: Stuck): CitadelError {
  const who = stuck.pid ? `pid ${stuck.pid}` : 'its pid unknown';
  const fix = stuck.socketGone && stuck.pid
    ? `\`citadel daemon start\` (or \`kill -USR1 ${stuck.pid}\`) makes the socket again, its polecats untouched`
    : 'stop it with `citadel daemon stop`, then start it again';
  return new CitadelError('unavailable', `the daemon of ${townRoot} (${who}) runs but ${stuck.reason}: ${fix}`);
}

/**
 * Stops a daemon that holds the town's lock but does not answer: SIGTERM (it stops as after the
 * `stop` verb), then SIGKILL if it still holds the lock after `timeoutMs`.
 */
async function stopByPid(townRoot: string, stuck: Stuck, timeoutMs: number): Promise<{ stopped: boolean; pid?: number }> {
  const pid = stuck.pid;
  if (!pid) throw stuckError(townRoot, stuck);
  const lock = daemonLockPath(townRoot);
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (instanceLockHolder(lock) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
  if (instanceLockHolder(lock)) signal('SIGKILL');
  while (isAlive(pid) && Date.now() < deadline + 2000) await new Promise((resolve) => setTimeout(resolve, 25));
  return { stopped: true, pid };
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
