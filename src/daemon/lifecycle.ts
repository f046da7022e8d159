import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CitadelError } from '../common/errors.js';
import { townPaths } from '../town/paths.js';
import { connect, type DaemonClient } from './client.js';
import { daemonPaths, ensurePrivateDir } from './runtime-dir.js';
import { isAlive } from '../common/process.js';

/** The citadel entry point the daemon is started from. */
const citadelBin = fileURLToPath(new URL('../../bin/citadel.js', import.meta.url));

export interface DaemonStatus {
  running: boolean;
  town: string;
  socket: string;
  pid?: number;
  startedAt?: string;
  uptimeSeconds?: number;
  panes?: number;
  running_panes?: number;
  clients?: Array<{ id: number; client: string }>;
  memory?: { rss: number; heapUsed: number };
  refinery?: string;
  log: string;
}

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
  try {
    return { client: await connect(townRoot, { env, client }), started: false };
  } catch (error) {
    if (!(error instanceof CitadelError) || error.code !== 'unavailable') throw error;
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
    const child = spawn(process.execPath, [citadelBin, 'daemon', 'run', '--town', townRoot], {
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
  const base = { town: townRoot, socket: daemonPaths(townRoot, env).socket, log: daemonLog(townRoot) };
  let client: DaemonClient;
  try {
    client = await connect(townRoot, { env, client: 'cli' });
  } catch (error) {
    if (error instanceof CitadelError && error.code === 'unavailable') return { running: false, ...base };
    throw error;
  }
  try {
    const status = await client.request<Record<string, unknown>>('status');
    const { running, ...rest } = status;
    return { ...base, ...rest, running: true, running_panes: running as number } as DaemonStatus;
  } finally {
    client.close();
  }
}

/** Stops the daemon (its polecats stop with it; see docs/daemon.md) and waits until it is gone. */
export async function stopDaemon(townRoot: string, options: LifecycleOptions = {}): Promise<{ stopped: boolean; pid?: number }> {
  const env = options.env ?? process.env;
  let client: DaemonClient;
  try {
    client = await connect(townRoot, { env, client: 'cli' });
  } catch (error) {
    if (error instanceof CitadelError && error.code === 'unavailable') return { stopped: false };
    throw error;
  }
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

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
