import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, renameSync, rmSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { connect } from 'node:net';
import { CitadelError } from '../common/errors.js';
import { loadNodePty } from '../pty/node-pty.js';
import type { SpawnPty } from '../pty/pty.js';
import { openTownAt } from '../town/town.js';
import { DaemonCore, verbTable } from './daemon.js';
import { tryLockInstance } from './instance-lock.js';
import type { PanesEvent } from './protocol.js';
import { startRefinery } from './refinery-host.js';
import { daemonPaths, ensurePrivateDir, type DaemonPaths } from './runtime-dir.js';
import { DaemonServer } from './server.js';
import { WITNESS } from './polecat-runner.js';
import { startScheduler } from '../scheduler/daemon-hook.js';
import type { WitnessTimings } from './witness-rules.js';
import { startCpuProfile } from './cpu-profile.js';

export interface RunDaemonOptions {
  env: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  spawnPty?: SpawnPty;
  witnessTimings?: WitnessTimings;
  /** Host the refinery worker (default true; `CITADEL_NO_REFINERY=1` turns it off). */
  refinery?: boolean;
}

export interface RunningDaemon {
  readonly paths: DaemonPaths;
  readonly core: DaemonCore;
  /** Stops everything (idempotent); resolves once the socket is gone. */
  stop(): Promise<void>;
  /** Resolves when the daemon has stopped (after `stop`, a `stop` verb or a signal). */
  readonly stopped: Promise<void>;
  /**
   * Listens again at its socket's path (SIGUSR1, as tmux): when a tmp cleaner removed the socket
   * (and maybe its token and directory), the polecats keep running and clients can reach it again.
   */
  relisten(): Promise<void>;
}

/**
 * Runs the town's daemon in this process (`citadel daemon run`): takes the town's lock, makes
 * the private socket and token, recovers polecats from the journal, and serves until stopped.
 */
export async function runDaemon(townRoot: string, options: RunDaemonOptions): Promise<RunningDaemon> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`));
  const paths = daemonPaths(townRoot, options.env);
  ensurePrivateDir(paths.dir);
  const profile = startCpuProfile(options.env.CITADEL_DAEMON_CPU_PROF);
  const unlock = tryLockInstance(paths.lock);
  if (!unlock) throw new CitadelError('conflict', `a daemon is already running for ${townRoot} (see \`citadel daemon status\`)`);
  let town: ReturnType<typeof openTownAt> | undefined;
  try {
    await replaceStaleSocket(paths.socket);
    const token = randomBytes(24).toString('hex');
    writePrivate(paths.token, `${token}\n`);
    town = openTownAt(townRoot, WITNESS);
    mkdirSync(town.paths.run, { recursive: true });
    const openedTown = town;
    const core = new DaemonCore({
      town: openedTown,
      spawnPty: options.spawnPty ?? (await loadNodePty()),
      env: options.env,
      log,
      ...(options.witnessTimings ? { witnessTimings: options.witnessTimings } : {}),
    });
    let resolveStopped: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
    let stopping: Promise<void> | undefined;
    // eslint-disable-next-line prefer-const -- assigned once the panes are recovered, read by stop() and status.
    let scheduler: Awaited<ReturnType<typeof startScheduler>> | undefined;
    const refinery = options.refinery === false || options.env.CITADEL_NO_REFINERY === '1' ? undefined : startRefinery(openedTown.paths.root, log);

    const stop = (): Promise<void> =>
      (stopping ??= (async () => {
        log('stopping');
        profile?.stop();
        journalWatch.dispose();
        scheduler?.stop();
        await refinery?.stop();
        log('refinery stopped');
        await core.stop();
        log('panes stopped');
        await server.close();
        log('socket closed');
        for (const file of [paths.socket, paths.token, paths.info]) rmSync(file, { force: true });
        openedTown.close();
        unlock();
        resolveStopped();
      })());

    const server: DaemonServer = new DaemonServer({
      socketPath: paths.socket,
      token,
      town: openedTown.paths.root,
      log,
      fullFrame: (pane) => (core.panes.has(pane) ? core.panes.get(pane).fullFrame() : undefined),
      handlers: verbTable({
        ...core.handlers(),
        status: () => ({
          pid: process.pid,
          town: openedTown.paths.root,
          socket: paths.socket,
          startedAt: core.startedAt.toISOString(),
          uptimeSeconds: Math.round((Date.now() - core.startedAt.getTime()) / 1000),
          panes: core.panes.list().length,
          running: core.panes.list().filter((pane) => pane.pid !== undefined).length,
          clients: [...server.connections].map((connection) => ({ id: connection.id, client: connection.client })),
          memory: { rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed },
          refinery: refinery ? refinery.state() : 'off',
          scheduler: scheduler?.summary() ?? { state: 'off' },
        }),
        stop: () => {
          setImmediate(() => void stop());
          return { stopping: true };
        },
      }),
    });
    // The socket is created 0600 (umask), so no one else can even try to connect.
    const listenPrivately = async (listen: () => Promise<void>): Promise<void> => {
      const umask = process.umask(0o177);
      try {
        await listen();
      } finally {
        process.umask(umask);
      }
      chmodSync(paths.socket, 0o600);
    };
    await listenPrivately(() => server.listen());
    writePrivate(paths.info, `${JSON.stringify({ pid: process.pid, town: openedTown.paths.root, socket: paths.socket, startedAt: core.startedAt.toISOString() })}\n`);

    let announced = false;
    core.panes.onChange(() => {
      if (announced) return;
      announced = true;
      setImmediate(() => {
        announced = false;
        const event: PanesEvent = { t: 'panes', panes: core.panes.list() };
        server.broadcast(event);
      });
    });
    const journalWatch = watchJournal(openedTown.paths.journal, () => openedTown.journal.headSeq(), log, (seq) => {
      // An agent's hook report is a journal write: the witness shows it now, not at its next tick.
      core.witness.lookSoon();
      if (server.connections.size > 0) server.broadcast({ t: 'journal', seq });
    });
    const recovered = await core.start();
    // The scheduler (docs/scheduler.md) and the witness's escalation ladder, after recovery.
    scheduler = await startScheduler(core, openedTown, options.env, log);
    log(`listening on ${paths.socket} (pid ${process.pid})${recovered.length ? `; restarted ${recovered.join(', ')}` : ''}`);
    const relisten = async (): Promise<void> => {
      if (stopping) return;
      try {
        ensurePrivateDir(paths.dir);
        writePrivate(paths.token, `${token}\n`);
        await listenPrivately(() => server.relisten());
        log(`listening again on ${paths.socket} (SIGUSR1)`);
      } catch (error) {
        log(`could not listen again on ${paths.socket}: ${(error as Error).message}`);
      }
    };
    return { paths, core, stop, stopped, relisten };
  } catch (error) {
    town?.close();
    unlock();
    throw error;
  }
}

/**
 * A socket left by a dead daemon is removed — only after a connect to it fails, so a live
 * daemon (of another version, without the lock) is never cut off. Anything else is refused.
 */
async function replaceStaleSocket(path: string): Promise<void> {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (!stat.isSocket()) throw new CitadelError('refused', `${path} exists and is not a socket: remove it by hand`);
  const alive = await new Promise<boolean>((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
  if (alive) throw new CitadelError('conflict', `another daemon answers on ${path}: stop it first (\`citadel daemon stop\`)`);
  rmSync(path, { force: true });
}

/** Writes a 0600 file atomically (never widening an existing file's mode). */
function writePrivate(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  rmSync(temp, { force: true });
  writeFileSync(temp, text, { mode: 0o600, flag: 'wx' });
  renameSync(temp, file);
}

/**
 * Calls `changed(seq)` when the journal's head moves: woken by inotify on the journal folder
 * (debounced 10 ms), with a 2 s poll as a safety net — an idle daemon reads nothing.
 * A journal damaged under the running daemon (a cut segment, a flipped bit) fails closed in
 * every read; here that is one line in the log per new problem, never an uncaught throw from a
 * timer, which would end the daemon and every agent's pty with it.
 */
function watchJournal(dir: string, headSeq: () => number, log: (line: string) => void, changed: (seq: number) => void): { dispose(): void } {
  let seq = headSeq();
  let pending: NodeJS.Timeout | undefined;
  let problem: string | undefined;
  const check = (): void => {
    pending = undefined;
    let head: number;
    try {
      head = headSeq();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== problem) log(`journal unreadable (the panes keep running): ${message}`);
      problem = message;
      return;
    }
    problem = undefined;
    if (head === seq) return;
    seq = head;
    changed(seq);
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, () => {
      pending ??= setTimeout(check, 10);
    });
    watcher.on('error', () => watcher?.close());
    watcher.unref();
  } catch {
    // No inotify: the poll alone.
  }
  const poll = setInterval(check, 2000);
  return {
    dispose: () => {
      watcher?.close();
      clearInterval(poll);
      clearTimeout(pending);
    },
  };
}
