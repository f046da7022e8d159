import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { Pane } from '../daemon/pane.js';
import type { RowFrame } from '../daemon/protocol.js';
import { gitRun } from '../git/run.js';
import { loadNodePty } from '../pty/node-pty.js';
import type { SpawnPty } from '../pty/pty.js';
import { ensureHostDir, type HostDir } from './host-dir.js';
import { encode, LineReader, parseMessage, WIRE_VERSION, type AgentMessage, type HomeMessage, type JobInfo, type JobSpec, type KeeperMessage } from './wire.js';

/** The most scrolled-off lines carried home with one frame (a flood's middle stays on the host). */
const MAX_SCROLLED = 1000;
/** A home connection more than this far behind stops getting frames until it drains (then one full frame). */
const BEHIND_BYTES = 2 * 1024 * 1024;
/** With no job running and no home connected for this long, the keeper exits. */
const IDLE_EXIT_MS = 10 * 60_000;

interface Job {
  spec: JobSpec;
  worktree: string;
  pane: Pane;
  exit: { exitCode: number | null } | undefined;
  /** The home connection's subscription to the pane. */
  subscription: { dispose(): void } | undefined;
  behind: boolean;
  /** Lines that scrolled off the top of the screen since home last got them (home's scrollback). */
  scrolled: number;
}

interface PendingCall {
  rid: number;
  id: string;
  verb: 'done' | 'cli';
  args: Record<string, unknown>;
  reply: (message: object) => void;
}

/**
 * The host process (docs/remote.md): on the remote host, holds the polecats' ptys as tmux's
 * server does, so an ssh connection that drops never takes an agent with it. It listens only
 * on a unix socket in the host's private directory; `citadel host serve` (run by ssh) relays
 * the home daemon's channel to it, and the agents' `citadel` asks it to carry their journal
 * writes home. One home connection at a time: a newer one (a reconnect) replaces the older.
 */
export class Keeper {
  private readonly jobs = new Map<string, Job>();
  private readonly sockets = new Set<Socket>();
  private home: Socket | undefined;
  private server: Server | undefined;
  private spawnPty: SpawnPty | undefined;
  private nextRid = 1;
  /** Agents' calls waiting for the home town (re-sent on every new home connection). */
  private readonly calls = new Map<number, PendingCall>();
  private idleSince = Date.now();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dir: HostDir,
    private readonly log: (line: string) => void,
    private readonly citadel: readonly string[],
  ) {}

  async listen(): Promise<void> {
    ensureHostDir(this.dir);
    if (await answers(this.dir.socket)) throw new CitadelError('conflict', `a keeper already serves ${this.dir.root}`);
    rmSync(this.dir.socket, { force: true });
    this.spawnPty = await loadNodePty();
    this.writeShim();
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.dir.socket, () => resolve());
    });
    writeFileSync(this.dir.pidFile, `${process.pid}\n`, { mode: 0o600 });
    this.idleTimer = setInterval(() => {
      const busy = this.home !== undefined || [...this.jobs.values()].some((job) => !job.exit);
      if (busy) this.idleSince = Date.now();
      else if (Date.now() - this.idleSince > IDLE_EXIT_MS) void this.stop();
    }, 5_000);
    this.idleTimer.unref();
    this.log(`keeper ${process.pid} listening on ${this.dir.socket}`);
  }

  async stop(): Promise<void> {
    clearInterval(this.idleTimer);
    for (const job of this.jobs.values()) job.pane.dispose();
    // Every connection is cut (a relay or an agent still connected would hold server.close forever).
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    rmSync(this.dir.socket, { force: true });
    rmSync(this.dir.pidFile, { force: true });
  }

  /** `<dir>/bin/citadel`: the agent's citadel, which carries its calls to this keeper. */
  private writeShim(): void {
    const quoted = [...this.citadel, 'host', 'shim'].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
    const path = join(this.dir.bin, 'citadel');
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, `#!/bin/sh\nexec ${quoted} "$@"\n`, { mode: 0o700 });
    renameSync(temp, path);
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.setEncoding('utf8');
    let role: 'home' | 'agent' | undefined;
    const reader = new LineReader(
      (line) => {
        const message = parseMessage<HomeMessage | AgentMessage>(line);
        if (!message) return;
        if (message.t === 'agent') {
          role = 'agent';
          void this.agentCall(message, socket);
          return;
        }
        if (role === undefined) {
          if (message.t !== 'req' || message.verb !== 'hello') {
            socket.destroy();
            return;
          }
          role = 'home';
        }
        if (role === 'home') void this.homeMessage(message as HomeMessage, socket);
      },
      () => socket.destroy(),
    );
    socket.on('data', (chunk: string) => reader.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (this.home === socket) this.dropHome();
    });
    socket.on('drain', () => {
      if (this.home !== socket) return;
      for (const job of this.jobs.values()) {
        if (!job.behind || !job.subscription) continue;
        job.behind = false;
        this.sendFrame(job, job.pane.fullFrame());
      }
    });
  }

  private dropHome(): void {
    this.home = undefined;
    for (const job of this.jobs.values()) {
      job.subscription?.dispose();
      job.subscription = undefined;
    }
    this.log('home disconnected; the agents keep running');
  }

  private send(message: KeeperMessage): void {
    if (this.home && !this.home.destroyed) this.home.write(encode(message));
  }

  private async homeMessage(message: HomeMessage, socket: Socket): Promise<void> {
    if (message.t === 'req') {
      const reply = (ok: boolean, result?: unknown, error?: string): void => {
        if (!socket.destroyed) socket.write(encode({ t: 'res', rid: message.rid, ok, ...(ok ? { result: result ?? null } : { error }) }));
      };
      try {
        reply(true, await this.request(message, socket));
      } catch (error) {
        reply(false, undefined, (error as Error).message);
      }
      return;
    }
    if (socket !== this.home) return;
    const job = 'id' in message ? this.jobs.get(message.id) : undefined;
    switch (message.t) {
      case 'attach':
        if (!job) return;
        job.subscription?.dispose();
        job.behind = false;
        if (validSize(message.cols, message.rows)) job.pane.resize(message.cols, message.rows);
        job.subscription = job.pane.subscribe({ frame: (frame) => this.sendFrame(job, frame) });
        if (job.exit) this.send({ t: 'exit', id: job.spec.id, exitCode: job.exit.exitCode });
        return;
      case 'input':
        if (job && typeof message.data === 'string') job.pane.input(message.data);
        return;
      case 'resize':
        if (job && validSize(message.cols, message.rows)) job.pane.resize(message.cols, message.rows);
        return;
      case 'ret': {
        const call = this.calls.get(message.rid);
        if (!call) return;
        this.calls.delete(message.rid);
        call.reply(message.ok ? { ok: true, result: message.result } : { ok: false, error: message.error ?? 'failed' });
        return;
      }
    }
  }

  private sendFrame(job: Job, frame: RowFrame): void {
    const home = this.home;
    if (!home || home.destroyed) return;
    if (job.behind) return;
    if (home.writableLength > BEHIND_BYTES) {
      job.behind = true;
      return;
    }
    const screen = job.pane.screen;
    const k = screen.altScreen ? 0 : Math.min(job.scrolled, screen.baseY);
    job.scrolled = 0;
    if (k === 0) {
      home.write(encode({ t: 'frame', id: job.spec.id, frame }));
      return;
    }
    // Lines that left the screen go home for its scrollback, then the whole screen over them.
    const carried = Math.min(k, MAX_SCROLLED);
    const scrolled = screen.lines(screen.baseY - carried, carried, false).map(([, text]) => text);
    if (k > carried) scrolled.unshift(`\x1b[2m… ${k - carried} lines left on the host …\x1b[0m`);
    home.write(encode({ t: 'frame', id: job.spec.id, frame: job.pane.fullFrame(), scrolled }));
  }

  private async request(message: Extract<HomeMessage, { t: 'req' }>, socket: Socket): Promise<unknown> {
    switch (message.verb) {
      case 'hello': {
        const { town, version } = message.args;
        if (version !== WIRE_VERSION) throw new CitadelError('refused', `the host's citadel speaks channel version ${WIRE_VERSION}, the home daemon ${version}: install the same citadel on both`);
        if (typeof town !== 'string' || !/^[0-9a-f]{8,64}$/.test(town)) throw new CitadelError('invalid', 'a hello names its town by its id');
        const served = existsSync(this.dir.townFile) ? readFileSync(this.dir.townFile, 'utf8').trim() : undefined;
        if (served && served !== town) {
          throw new CitadelError('refused', `${this.dir.root} serves another town (${served}): give this town its own host path (citadel host add NAME USER@HOST:OTHER-PATH)`);
        }
        if (!served) writeFileSync(this.dir.townFile, `${town}\n`, { mode: 0o600 });
        if (this.home && this.home !== socket) {
          this.log('a newer home connection replaces the older');
          const old = this.home;
          this.dropHome();
          old.destroy();
        }
        this.home = socket;
        this.log('home connected');
        // Calls the agents made while home was away go out now (home files them idempotently).
        for (const call of this.calls.values()) this.send({ t: 'call', rid: call.rid, id: call.id, verb: call.verb, args: call.args });
        return { version: WIRE_VERSION, pid: process.pid, jobs: [...this.jobs.values()].map((job) => this.info(job)) };
      }
      case 'start':
        return this.start(message.args);
      case 'clone': {
        const { remote, mainBranch, mainHead } = message.args;
        checkRepoArgs(remote, mainBranch, mainHead);
        return this.syncClone(remote, mainBranch, mainHead);
      }
      case 'bundle':
        return this.takeBundle(message.args);
      case 'kill': {
        const job = this.jobs.get(message.args.id);
        if (!job) throw new CitadelError('not_found', `no job ${message.args.id} on this host`);
        job.pane.kill(['SIGHUP', 'SIGTERM', 'SIGKILL', 'SIGINT'].includes(message.args.signal) ? message.args.signal : 'SIGHUP');
        return null;
      }
      case 'forget': {
        const job = this.jobs.get(message.args.id);
        if (job && !job.pane.running) {
          job.subscription?.dispose();
          job.pane.dispose();
          this.jobs.delete(message.args.id);
        }
        return null;
      }
    }
    throw new CitadelError('invalid', 'unknown request');
  }

  private info(job: Job): JobInfo {
    return { id: job.spec.id, pid: job.pane.pid ?? null, running: job.pane.running, bead: job.spec.bead, worktree: job.worktree, ...(job.exit ? { exitCode: job.exit.exitCode } : {}) };
  }

  /**
   * Starts polecat `spec.id` (or answers with the one already running for the same bead: a
   * home daemon that restarted finds its agent alive). Prepares the clone and the worktree
   * first; never discards uncommitted work in a reused worktree.
   */
  private async start(spec: JobSpec): Promise<JobInfo> {
    checkSpec(spec);
    const existing = this.jobs.get(spec.id);
    if (existing?.pane.running) {
      if (existing.spec.bead === spec.bead) return this.info(existing);
      throw new CitadelError('conflict', `${spec.id} is still running ${existing.spec.bead} on this host`);
    }
    const worktree = await this.prepare(spec);
    const env: NodeJS.ProcessEnv = { ...process.env, ...spec.env, PATH: `${this.dir.bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, CITADEL_HOST_SOCKET: this.dir.socket };
    for (const key of ['TMUX', 'TMUX_PANE', 'STY', 'SSH_AUTH_SOCK']) delete env[key];
    let pane: Pane;
    if (existing) {
      existing.spec = spec;
      existing.exit = undefined;
      existing.pane.restart(spec.argv, env, `${spec.bead}`);
      pane = existing.pane;
    } else {
      pane = new Pane({ id: spec.id, argv: spec.argv, cwd: worktree, env, cols: spec.cols, rows: spec.rows, scrollback: 2000, spawnPty: this.spawnPty! });
    }
    const job: Job = existing ?? { spec, worktree, pane, exit: undefined, subscription: undefined, behind: false, scrolled: 0 };
    job.worktree = worktree;
    if (!existing) {
      this.jobs.set(spec.id, job);
      countScrolls(pane, () => job.scrolled++);
      pane.onExit((exit) => {
        job.exit = { exitCode: exit.exitCode };
        this.log(`${spec.id} exited (${exit.exitCode ?? 'signal'})`);
        this.send({ t: 'exit', id: job.spec.id, exitCode: exit.exitCode });
      });
    }
    this.log(`${spec.id} started on ${spec.bead} (pid ${pane.pid})`);
    return this.info(job);
  }

  /**
   * The bare clone of the shared remote, fetched (its main as `refs/remotes/origin/MAIN`).
   * Answers whether home's main tip is there, and where the shared remote's main is, so home
   * can send what is missing as a git bundle over the channel (`bundle`).
   */
  private async syncClone(remote: string, mainBranch: string, mainHead: string): Promise<{ has: boolean; remoteMain: string | null }> {
    const repo = this.dir.repo;
    if (!existsSync(join(repo, 'HEAD'))) {
      await must(this.dir.root, ['clone', '--quiet', '--bare', '--', remote, repo], `git clone ${remote}`);
    } else {
      await must(repo, ['remote', 'set-url', 'origin', remote], 'git remote set-url');
    }
    await must(repo, ['fetch', '--quiet', 'origin', `+refs/heads/${mainBranch}:refs/remotes/origin/${mainBranch}`], `git fetch ${remote} ${mainBranch}`);
    const remoteMain = (await gitRun(repo, ['rev-parse', '--verify', '--quiet', `refs/remotes/origin/${mainBranch}^{commit}`])).stdout.trim() || null;
    return { has: (await gitRun(repo, ['cat-file', '-e', `${mainHead}^{commit}`])).code === 0, remoteMain };
  }

  /** Home's main, sent as a bundle (base64): fetched into `refs/citadel/home/MAIN`. */
  private async takeBundle(args: { data: string; mainBranch: string; mainHead: string }): Promise<null> {
    if (typeof args.data !== 'string' || typeof args.mainBranch !== 'string' || !SAFE_REF.test(args.mainBranch) || args.mainBranch.includes('..')) {
      throw new CitadelError('invalid', 'refused an invalid bundle');
    }
    const file = join(this.dir.run, `main-${process.pid}.bundle`);
    writeFileSync(file, Buffer.from(args.data, 'base64'), { mode: 0o600 });
    try {
      await must(this.dir.repo, ['fetch', '--quiet', file, `+refs/heads/${args.mainBranch}:refs/citadel/home/${args.mainBranch}`], 'git fetch of the bundle from home');
    } finally {
      rmSync(file, { force: true });
    }
    if ((await gitRun(this.dir.repo, ['cat-file', '-e', `${args.mainHead}^{commit}`])).code !== 0) throw new CitadelError('failed', 'the bundle from home did not hold its main');
    return null;
  }

  /** The clone, its main set to home's tip, then the polecat's worktree on its branch. */
  private async prepare(spec: JobSpec): Promise<string> {
    const repo = this.dir.repo;
    const { has } = await this.syncClone(spec.remote, spec.mainBranch, spec.mainHead);
    if (!has) {
      throw new CitadelError(
        'refused',
        `the host's clone lacks the home town's ${spec.mainBranch} (${spec.mainHead.slice(0, 10)}): push it to the shared remote (git push origin ${spec.mainBranch}), then sling again`,
      );
    }
    // The host's main is home's main, whatever the shared remote has: the agent works on top of it.
    await must(repo, ['update-ref', `refs/heads/${spec.mainBranch}`, spec.mainHead], `git update-ref ${spec.mainBranch}`);
    const path = join(this.dir.worktrees, spec.id);
    const hasBranch = (await gitRun(repo, ['rev-parse', '--verify', '--quiet', `refs/heads/${spec.branch}`])).code === 0;
    // The branch as the shared remote has it (a bounced bead comes back to its pushed work).
    const pushed = (await gitRun(repo, ['fetch', '--quiet', 'origin', `+refs/heads/${spec.branch}:refs/remotes/origin/${spec.branch}`])).code === 0;
    if (!existsSync(path)) {
      await must(repo, ['worktree', 'prune'], 'git worktree prune');
      const args = hasBranch
        ? ['worktree', 'add', '--quiet', path, spec.branch]
        : ['worktree', 'add', '--quiet', '-b', spec.branch, path, pushed ? `refs/remotes/origin/${spec.branch}` : `refs/heads/${spec.mainBranch}`];
      await must(repo, args, 'git worktree add');
      return path;
    }
    const current = (await gitRun(path, ['symbolic-ref', '--quiet', '--short', 'HEAD'])).stdout.trim();
    if (current === spec.branch) return path;
    const dirty = (await gitRun(path, ['status', '--porcelain=v1'])).stdout.trim();
    if (dirty) throw new CitadelError('refused', `${path} has uncommitted work on ${current || 'a detached HEAD'}: commit or discard it on the host first (nothing is thrown away)`);
    if (hasBranch) await must(path, ['switch', '--quiet', spec.branch], `git switch ${spec.branch}`);
    else await must(path, ['switch', '--quiet', '-c', spec.branch, pushed ? `refs/remotes/origin/${spec.branch}` : `refs/heads/${spec.mainBranch}`], `git switch -c ${spec.branch}`);
    return path;
  }

  /** One request from an agent on this host (its own connection). */
  private async agentCall(message: AgentMessage, socket: Socket): Promise<void> {
    const reply = (value: object): void => {
      if (!socket.destroyed) socket.end(encode({ t: 'reply', ...value }));
    };
    const job = this.jobs.get(message.id);
    if (!job) {
      reply({ ok: false, error: `no polecat ${JSON.stringify(message.id)} runs on this host` });
      return;
    }
    if (message.verb === 'job') {
      reply({ ok: true, result: { ...job.spec, worktree: job.worktree } });
      return;
    }
    if (message.verb !== 'done' && message.verb !== 'cli') {
      reply({ ok: false, error: 'unknown request' });
      return;
    }
    const rid = this.nextRid++;
    const call: PendingCall = { rid, id: message.id, verb: message.verb, args: message.args ?? {}, reply };
    this.calls.set(rid, call);
    // An agent that gives up (killed, timed out) no longer waits for its answer.
    socket.on('close', () => this.calls.delete(rid));
    this.send({ t: 'call', rid, id: call.id, verb: call.verb, args: call.args });
  }
}

/**
 * Calls `counted` for each line the pane's screen pushes into its scrollback: a scroll of the
 * normal screen whose region starts at the top (xterm's own rule for keeping the line).
 */
function countScrolls(pane: Pane, counted: () => void): void {
  const terminal = pane.screen.terminal;
  const core = (terminal as unknown as { _core?: { buffer?: { scrollTop?: number } } })._core;
  terminal.onScroll(() => {
    if (terminal.buffer.active.type === 'normal' && (core?.buffer?.scrollTop ?? 0) === 0) counted();
  });
}

/** Runs git; a failure is one sentence saying what failed on the host, in git's words. */
async function must(cwd: string, args: string[], what: string): Promise<string> {
  const result = await gitRun(cwd, args);
  if (result.code !== 0) throw new CitadelError('failed', `${what} on the host failed: ${(result.stderr.trim() || result.stdout.trim()).split('\n').slice(-2).join(' / ')}`);
  return result.stdout.trim();
}

function validSize(cols: unknown, rows: unknown): cols is number {
  return Number.isInteger(cols) && Number.isInteger(rows) && (cols as number) >= 2 && (cols as number) <= 1000 && (rows as number) >= 1 && (rows as number) <= 500;
}

const SAFE_REF = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,200}$/;

/** What the host accepts from home: names it uses in paths and git refs are checked again here. */
function checkSpec(spec: JobSpec): void {
  const bad = (what: string): never => {
    throw new CitadelError('invalid', `refused a job with an invalid ${what}`);
  };
  if (typeof spec.id !== 'string' || !/^[a-z][a-z0-9_-]{0,31}$/.test(spec.id)) bad('polecat name');
  if (typeof spec.branch !== 'string' || !SAFE_REF.test(spec.branch) || spec.branch.includes('..') || !spec.branch.startsWith(`polecat/${spec.id}/`)) bad('branch');
  checkRepoArgs(spec.remote, spec.mainBranch, spec.mainHead);
  if (!Array.isArray(spec.argv) || spec.argv.length === 0 || !spec.argv.every((arg) => typeof arg === 'string')) bad('command');
  if (!validSize(spec.cols, spec.rows)) bad('size');
}

/** The shared remote, main's name and home's tip, as the host uses them in git commands. */
function checkRepoArgs(remote: unknown, mainBranch: unknown, mainHead: unknown): void {
  const bad = (what: string): never => {
    throw new CitadelError('invalid', `refused a job with an invalid ${what}`);
  };
  if (typeof mainBranch !== 'string' || !SAFE_REF.test(mainBranch) || mainBranch.includes('..')) bad('main branch');
  if (typeof mainHead !== 'string' || !/^[0-9a-f]{40,64}$/.test(mainHead)) bad('main head');
  if (typeof remote !== 'string' || remote.startsWith('-') || remote === '' || /[\x00-\x1f]/.test(remote)) bad('remote');
}

/** Whether something answers on the unix socket at `path`. */
export function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
