import { spawn, type ChildProcess } from 'node:child_process';
import { CitadelError } from '../common/errors.js';
import type { RowFrame } from '../daemon/protocol.js';
import type { Disposable, Pty, PtyExit } from '../pty/pty.js';
import type { HostRecord, HostState } from './hosts.js';
import { sshArgv } from './ssh.js';
import { encode, LineReader, parseMessage, WIRE_VERSION, type HomeMessage, type KeeperMessage, type WelcomeResult } from './wire.js';

export interface LinkHooks {
  log(line: string): void;
  /** The connection changed state (for the journal's host record). */
  state(host: string, state: HostState, problem: string | null): void;
  /** An agent on the host asks the home town for something (done, a forwarded command). */
  call(host: string, polecat: string, verb: 'done' | 'cli', args: Record<string, unknown>): Promise<unknown>;
  env: NodeJS.ProcessEnv;
}

const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
const HELLO_TIMEOUT_MS = 30_000;

/**
 * The home daemon's side of one host: one `ssh -T … citadel host serve` at a time carrying
 * every polecat on that host. When it drops while agents run there, it is re-established with
 * backoff (0.5 s doubling to 30 s); each pane is attached again and gets the whole screen, and
 * calls the agents made meanwhile arrive then (the keeper holds them).
 */
export class HostLink {
  state: HostState = 'unused';
  problem: string | null = null;
  keeperPid: number | undefined;
  private child: ChildProcess | undefined;
  private nextRid = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly ptys = new Map<string, RemotePty>();
  /** Kills asked for while the link was down, sent once it is up. */
  private readonly queuedKills = new Map<string, string>();
  private waiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private backoffMs = FIRST_BACKOFF_MS;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private host: HostRecord,
    private readonly town: string,
    private readonly hooks: LinkHooks,
  ) {}

  get name(): string {
    return this.host.name;
  }

  update(host: HostRecord): void {
    this.host = host;
  }

  /** Resolves once connected; a failed attempt rejects with ssh's (or the host's) reason. */
  ready(): Promise<void> {
    if (this.state === 'up') return Promise.resolve();
    if (this.closed) return Promise.reject(new CitadelError('failed', `the daemon is stopping: host ${this.name} is closed`));
    const waiting = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.child) {
      clearTimeout(this.timer);
      this.connect();
    }
    return waiting;
  }

  request<T>(verb: Extract<HomeMessage, { t: 'req' }>['verb'], args: object): Promise<T> {
    if (this.state !== 'up' || !this.child) return Promise.reject(new CitadelError('failed', `host ${this.name} is not connected`));
    const rid = this.nextRid++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(rid, { resolve: resolve as (value: unknown) => void, reject });
      this.write({ t: 'req', rid, verb, args } as HomeMessage);
    });
  }

  /** A pane's program on the host, attached now (its full screen follows). */
  attach(id: string, pid: number, cols: number, rows: number): RemotePty {
    this.ptys.get(id)?.exited(null);
    const pty = new RemotePty(this, id, pid, cols, rows);
    this.ptys.set(id, pty);
    this.send({ t: 'attach', id, cols, rows });
    return pty;
  }

  /** Fire-and-forget messages (keys, sizes): dropped while the link is down (the screen comes back whole). */
  send(message: HomeMessage): void {
    if (this.state === 'up') this.write(message);
  }

  kill(id: string, signal: string): void {
    if (this.state === 'up') {
      this.request('kill', { id, signal }).catch((error: Error) => this.hooks.log(`${this.name}: kill ${id}: ${error.message}`));
      return;
    }
    this.queuedKills.set(id, signal);
    // A SIGKILL cannot wait for a link that may never come back: the pane ends now, and the
    // kill is delivered when the host is reached again.
    if (signal === 'SIGKILL') this.ptys.get(id)?.exited(null);
    else if (!this.child && !this.timer) this.scheduleReconnect();
  }

  forget(pty: RemotePty): void {
    if (this.ptys.get(pty.id) === pty) this.ptys.delete(pty.id);
  }

  /** Ends the connection (the daemon stops); the keeper keeps whatever still runs. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.child?.kill('SIGTERM');
    this.child = undefined;
  }

  /** The ssh client's pid (tests cut the connection by killing it). */
  get sshPid(): number | undefined {
    return this.child?.pid;
  }

  private write(message: HomeMessage): void {
    const stdin = this.child?.stdin;
    if (stdin && !stdin.destroyed) stdin.write(encode(message));
  }

  private connect(): void {
    const argv = sshArgv(this.host, [this.host.citadel, 'host', 'serve', '--dir', this.host.path]);
    this.setState(this.ptys.size > 0 ? 'reconnecting' : 'connecting', this.problem);
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: this.hooks.env });
    this.child = child;
    let stderr = '';
    let done = false;
    const lost = (problem: string): void => {
      if (done) return;
      done = true;
      clearTimeout(helloTimer);
      if (this.child === child) this.child = undefined;
      child.kill('SIGTERM');
      this.down(problem);
    };
    const helloTimer = setTimeout(() => lost(`no answer from citadel on ${this.host.destination} within ${HELLO_TIMEOUT_MS / 1000} s`), HELLO_TIMEOUT_MS);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4096);
    });
    child.stdout!.setEncoding('utf8');
    const reader = new LineReader(
      (line) => this.message(parseMessage<KeeperMessage>(line)),
      () => lost('the host sent a line longer than 16 MiB'),
    );
    child.stdout!.on('data', (chunk: string) => reader.push(chunk));
    child.stdin!.on('error', () => undefined);
    child.on('error', (error) => lost(`could not run ssh: ${error.message}`));
    child.on('close', (code) => {
      const reason = lastLines(stderr) || `ssh exited with code ${code ?? 'a signal'}`;
      lost(reason);
    });
    const rid = this.nextRid++;
    this.pending.set(rid, {
      resolve: (value) => {
        clearTimeout(helloTimer);
        this.up(value as WelcomeResult);
      },
      reject: (error) => lost(error.message),
    });
    this.write({ t: 'req', rid, verb: 'hello', args: { version: WIRE_VERSION, town: this.town } });
    // The first request goes out before the state is up: write it straight away.
  }

  private up(welcome: WelcomeResult): void {
    this.backoffMs = FIRST_BACKOFF_MS;
    this.keeperPid = welcome.pid;
    this.setState('up', null);
    this.hooks.log(`host ${this.name}: connected (keeper pid ${welcome.pid}, ${welcome.jobs.length} job${welcome.jobs.length === 1 ? '' : 's'})`);
    const jobs = new Map(welcome.jobs.map((job) => [job.id, job]));
    for (const pty of [...this.ptys.values()]) {
      const job = jobs.get(pty.id);
      if (!job) {
        this.hooks.log(`host ${this.name}: ${pty.id} is gone from the host (its keeper restarted?)`);
        pty.exited(null);
        continue;
      }
      // Attached again: the keeper sends the whole screen, then an exit if it ended meanwhile.
      this.write({ t: 'attach', id: pty.id, cols: pty.cols, rows: pty.rows });
      const signal = this.queuedKills.get(pty.id);
      if (signal) this.request('kill', { id: pty.id, signal }).catch(() => undefined);
    }
    this.queuedKills.clear();
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  private down(problem: string): void {
    for (const [rid, pending] of [...this.pending]) {
      this.pending.delete(rid);
      pending.reject(new CitadelError('failed', `lost the connection to host ${this.name}: ${problem}`));
    }
    const error = new CitadelError('failed', `cannot reach host ${this.name} (${this.host.destination}): ${problem}`);
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
    if (this.closed) return;
    this.hooks.log(`host ${this.name}: ${problem}`);
    const live = [...this.ptys.values()].some((pty) => !pty.ended) || this.queuedKills.size > 0;
    this.setState(live ? 'reconnecting' : 'down', problem);
    if (live) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    clearTimeout(this.timer);
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.closed && !this.child) this.connect();
    }, delay);
  }

  private setState(state: HostState, problem: string | null): void {
    if (this.state === state && this.problem === problem) return;
    this.state = state;
    this.problem = problem;
    this.hooks.state(this.name, state, problem);
  }

  private message(message: KeeperMessage | undefined): void {
    if (!message) return;
    switch (message.t) {
      case 'res': {
        const pending = this.pending.get(message.rid);
        if (!pending) return;
        this.pending.delete(message.rid);
        if (message.ok) pending.resolve(message.result);
        else pending.reject(new CitadelError('failed', `host ${this.name}: ${message.error ?? 'refused'}`));
        return;
      }
      case 'frame':
        this.ptys.get(message.id)?.frame(message.frame, Array.isArray(message.scrolled) ? message.scrolled : []);
        return;
      case 'exit': {
        const pty = this.ptys.get(message.id);
        if (!pty) return;
        pty.exited(message.exitCode);
        this.request('forget', { id: message.id }).catch(() => undefined);
        return;
      }
      case 'call': {
        const { rid, id, verb, args } = message;
        this.hooks.call(this.name, id, verb, args && typeof args === 'object' ? args : {}).then(
          (result) => this.write({ t: 'ret', rid, ok: true, result }),
          (error: Error) => this.write({ t: 'ret', rid, ok: false, error: error.message }),
        );
        return;
      }
    }
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-2).join(' / ').trim();
}

/**
 * A program on a remote host behind the `Pty` interface, so the daemon's pane, witness and
 * clients treat it as a local one: its row frames are painted into the home pane's screen
 * (each row written at its place, autowrap off, so nothing scrolls), keys and sizes go to the
 * keeper, and its exit comes back as an exit. `pid` is the agent's pid on the host.
 */
export class RemotePty implements Pty {
  ended = false;
  private readonly dataListeners = new Set<(data: string) => void>();
  private readonly exitListeners = new Set<(exit: PtyExit) => void>();
  private painted = false;
  private alt = false;
  private title: string | undefined;
  private modes = '';

  constructor(
    private readonly link: HostLink,
    readonly id: string,
    readonly pid: number,
    public cols: number,
    public rows: number,
  ) {}

  onData(listener: (data: string) => void): Disposable {
    this.dataListeners.add(listener);
    return { dispose: () => this.dataListeners.delete(listener) };
  }

  onExit(listener: (exit: PtyExit) => void): Disposable {
    this.exitListeners.add(listener);
    return { dispose: () => this.exitListeners.delete(listener) };
  }

  write(data: string): void {
    if (!this.ended) this.link.send({ t: 'input', id: this.id, data });
  }

  resize(cols: number, rows: number): void {
    this.cols = cols;
    this.rows = rows;
    if (!this.ended) this.link.send({ t: 'resize', id: this.id, cols, rows });
  }

  kill(signal = 'SIGHUP'): void {
    if (!this.ended) this.link.kill(this.id, signal);
  }

  // Flow control is the keeper's: it coalesces frames and skips them for a home that lags.
  pause(): void {}
  resume(): void {}

  /**
   * Paints `frame`. `scrolled`: lines that left the top of the host's screen meanwhile (a full
   * frame follows them): each is written on the top row and scrolled off into the home
   * screen's scrollback, so copy mode and `peek --lines` find them here too.
   */
  frame(frame: RowFrame, scrolled: readonly string[] = []): void {
    if (this.ended) return;
    let out = this.painted ? '' : '\x1b[?7l';
    this.painted = true;
    if (!frame.altScreen && !this.alt) {
      for (const line of scrolled) if (typeof line === 'string') out += `\x1b[1;1H\x1b[0m${line}\x1b[0m\x1b[K\x1b[${this.rows};1H\n`;
    }
    if (frame.altScreen !== this.alt) {
      out += frame.altScreen ? '\x1b[?1049h' : '\x1b[?1049l';
      this.alt = frame.altScreen;
    }
    if (frame.title !== undefined && frame.title !== this.title) {
      this.title = frame.title;
      out += `\x1b]2;${frame.title.replace(/[\x00-\x1f\x7f-\x9f]/g, '')}\x07`;
    }
    if (frame.modes) {
      const modes = `${frame.modes.applicationCursor},${frame.modes.bracketedPaste}`;
      if (modes !== this.modes) {
        this.modes = modes;
        out += `\x1b[?1${frame.modes.applicationCursor ? 'h' : 'l'}\x1b[?2004${frame.modes.bracketedPaste ? 'h' : 'l'}`;
      }
    }
    for (const [y, text] of frame.lines) if (y >= 0 && y < this.rows) out += `\x1b[${y + 1};1H\x1b[0m${text}`;
    if (frame.full) for (let y = frame.rows; y < this.rows; y++) out += `\x1b[${y + 1};1H\x1b[0m\x1b[2K`;
    out += `\x1b[0m\x1b[${frame.cursor.y + 1};${frame.cursor.x + 1}H\x1b[?25${frame.cursor.visible ? 'h' : 'l'}`;
    for (const listener of [...this.dataListeners]) listener(out);
  }

  exited(exitCode: number | null): void {
    if (this.ended) return;
    this.ended = true;
    this.link.forget(this);
    for (const listener of [...this.exitListeners]) listener({ exitCode });
  }
}
