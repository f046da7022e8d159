import type { Disposable, Pty, PtyExit, PtySpawnOptions, SpawnPty } from '../pty/pty.js';
import { FlowControl } from './flow-control.js';
import { FrameScheduler } from './frame-scheduler.js';
import type { PaneModes, RowFrame } from './protocol.js';
import { ScreenFeeder } from './screen-feeder.js';
import { sharedInputFirst, type Holdable, type InputFirst } from './input-first.js';
import { Screen } from './screen.js';
import { isAlive } from '../common/process.js';
import { PerformanceObserver } from 'node:perf_hooks';

/**
 * `CITADEL_DAEMON_TRACE=1`: each keystroke's round trip through the daemon goes to its log
 * (stderr) — input received, pty written, first output, parsed, frame handed to the sockets —
 * in ms of `performance.now()`, the clock `--trace-gc` prints, so a slow echo can be matched
 * with a collection or a long parse turn (bench/tui.js `four` with CITADEL_BENCH_DAEMON_TRACE).
 */
const TRACE = process.env.CITADEL_DAEMON_TRACE === '1';
if (TRACE) {
  // Collections of 1 ms or more, on the same clock (--trace-gc is refused in NODE_OPTIONS).
  const kinds: Record<number, string> = { 1: 'scavenge', 2: 'minor-ms', 4: 'mark-compact', 8: 'incremental', 16: 'weakcb' };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind ?? 0;
      if (entry.duration >= 1) process.stderr.write(`gc ${kinds[kind] ?? kind} at ${entry.startTime.toFixed(2)} took ${entry.duration.toFixed(2)} ms\n`);
    }
  }).observe({ entryTypes: ['gc'] });
  // The loop held longer than 20 ms (input and pty output wait in the kernel meanwhile).
  // With the CPU time spent meanwhile: near the stall's length, the daemon was busy; far under
  // it, the daemon waited for a core.
  let tick = performance.now();
  let cpu = process.cpuUsage();
  setInterval(() => {
    const now = performance.now();
    const used = process.cpuUsage(cpu);
    if (now - tick > 25) process.stderr.write(`stall at ${tick.toFixed(2)} for ${(now - tick - 5).toFixed(2)} ms, cpu ${((used.user + used.system) / 1000).toFixed(2)} ms\n`);
    tick = now;
    cpu = process.cpuUsage();
  }, 5).unref();
}

/** Where a pane's frames go: one subscribed client. */
export interface FrameSink {
  frame(frame: RowFrame): void;
}

export interface PaneOptions {
  id: string;
  argv: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  cols: number;
  rows: number;
  /** Scrollback lines kept (town config `scrollback`). */
  scrollback: number;
  spawnPty: SpawnPty;
  /** Minimum time between two frames of a busy pane. */
  frameIntervalMs?: number;
  now?: () => number;
  /** Holds the other panes while a key typed here waits for its echo (default: the daemon's one). */
  inputFirst?: InputFirst;
}

/**
 * A pane: one program on a pty, its output parsed once into a headless screen, and the
 * subscribers that receive its row frames. The screen outlives the program, so an exited
 * pane still shows its last screen and can be restarted in place.
 */
export class Pane implements Holdable {
  readonly id: string;
  argv: readonly string[];
  readonly cwd: string;
  env: NodeJS.ProcessEnv;
  readonly screen: Screen;
  /** When the program last wrote anything (ms, `now()` clock); its start counts. */
  lastOutputAt: number;
  /** Set once the current program has exited. */
  exit: PtyExit | undefined;
  private pty: Pty | undefined;
  private flow: FlowControl | undefined;
  private readonly listeners: Disposable[] = [];
  private readonly sinks = new Set<FrameSink>();
  private readonly scheduler: FrameScheduler;
  private readonly exitListeners = new Set<(exit: PtyExit) => void>();
  private readonly now: () => number;
  private readonly spawnPty: SpawnPty;
  /** Rows as last sent to the subscribers; undefined forces a full frame. */
  private sent: { lines: string[]; cursor: string; altScreen: boolean; title: string | undefined; cols: number; rows: number; modes: string } | undefined;
  private disposed = false;
  private readonly feeder: ScreenFeeder;
  /** Input was typed and no output parsed since: the next output is its echo, sent at once. */
  private echoPending = false;
  /** CITADEL_DAEMON_TRACE: the times of the keystroke in flight (input, written, output, parsed). */
  private trace: number[] | undefined;
  private readonly inputFirst: InputFirst;
  /** Why the pty is paused: flow control (a backlog), and/or another pane's echo (input first). */
  private flowPaused = false;
  private held = false;
  private ptyPaused = false;
  /** The program is gone or going: its pty is read to the end, whatever pauses it. */
  private exiting = false;
  /** While the pty is paused, the program's death is watched: node-pty drops what is unread 200 ms after the exit. */
  private deathWatch: NodeJS.Timeout | undefined;

  constructor(options: PaneOptions) {
    this.id = options.id;
    this.argv = options.argv;
    this.cwd = options.cwd;
    this.env = options.env;
    this.spawnPty = options.spawnPty;
    this.now = options.now ?? (() => performance.now());
    this.lastOutputAt = this.now();
    this.screen = new Screen(options.cols, options.rows, options.scrollback);
    this.feeder = new ScreenFeeder(this.screen, (size) => this.parsed(size));
    this.scheduler = new FrameScheduler(() => this.broadcast(), options.frameIntervalMs ?? 16, this.now);
    this.inputFirst = options.inputFirst ?? sharedInputFirst;
    this.inputFirst.add(this);
    this.start();
  }

  get pid(): number | undefined {
    return this.pty?.pid;
  }

  get running(): boolean {
    return this.pty !== undefined && this.exit === undefined;
  }

  get cols(): number {
    return this.screen.cols;
  }

  get rows(): number {
    return this.screen.rows;
  }

  /** Characters received and not yet parsed (bounded by flow control). */
  get unparsed(): number {
    return this.flow?.unparsed ?? 0;
  }

  onExit(listener: (exit: PtyExit) => void): Disposable {
    this.exitListeners.add(listener);
    return { dispose: () => this.exitListeners.delete(listener) };
  }

  /** Types into the program (keystrokes, pasted text). Ignored once it has exited. */
  input(data: string): void {
    if (!this.running) return;
    const received = TRACE ? performance.now() : 0;
    this.pty!.write(data);
    if (TRACE) this.trace = [received, performance.now()];
    // The answer jumps the queue: its output is parsed first among busy panes, and the first
    // frame after it goes out in the same tick instead of waiting for a streaming pane's slot.
    this.echoPending = true;
    this.feeder.prioritize();
    // Only a pane someone watches has an echo to wait for.
    if (this.sinks.size > 0) this.inputFirst.typed(this);
  }

  /** Input first (input-first.ts): while another pane waits for its echo, this one is neither read nor parsed. */
  setHeld(held: boolean): void {
    if (held === this.held) return;
    this.held = held;
    this.feeder.setHeld(held);
    this.syncPause();
  }

  /** The pty is paused while flow control or a hold wants it, and never once the program is gone. */
  private syncPause(): void {
    const pty = this.pty;
    if (!pty) return;
    const want = (this.flowPaused || this.held) && this.exit === undefined && !this.exiting;
    if (want === this.ptyPaused) return;
    this.ptyPaused = want;
    if (want) {
      pty.pause();
      this.deathWatch = setInterval(() => {
        if (isAlive(pty.pid)) return;
        this.exiting = true;
        this.flow?.finish();
        this.syncPause();
      }, 20);
    } else {
      clearInterval(this.deathWatch);
      this.deathWatch = undefined;
      pty.resume();
    }
  }

  resize(cols: number, rows: number): void {
    if (cols === this.cols && rows === this.rows) return;
    this.screen.resize(cols, rows);
    if (this.running) this.pty!.resize(cols, rows);
    this.sent = undefined;
    this.scheduler.request();
  }

  /** Sends `signal` to the program (its output keeps flowing until it is gone). */
  kill(signal = 'SIGHUP'): void {
    if (!this.running) return;
    this.exiting = true;
    this.flow?.finish();
    this.syncPause();
    try {
      this.pty!.kill(signal);
    } catch {
      // Already gone: the exit event follows.
    }
  }

  /** Starts the program again in the same screen (after it exited), optionally with a new argv/env. */
  restart(argv?: readonly string[], env?: NodeJS.ProcessEnv, banner = 'restarted'): void {
    if (this.running) throw new Error(`pane ${this.id} is still running`);
    if (argv) this.argv = argv;
    if (env) this.env = env;
    // A dim rule between the old run's output and the new one, kept in the scrollback.
    this.screen.write(`\r\n\x1b[2m── ${banner} ──\x1b[0m\r\n`);
    this.scheduler.request();
    this.start();
  }

  /** Adds a subscriber: it gets the whole screen now, then only the rows that change. */
  subscribe(sink: FrameSink): Disposable {
    // Changes the others have not seen yet go out first, so they stay in step.
    this.scheduler.flushNow();
    this.sinks.add(sink);
    const frame = this.fullFrame();
    this.sent = {
      lines: frame.lines.map(([, text]) => text),
      cursor: `${frame.cursor.x},${frame.cursor.y},${frame.cursor.visible}`,
      altScreen: frame.altScreen,
      title: frame.title,
      cols: frame.cols,
      rows: frame.rows,
      modes: modesKey(frame.modes!),
    };
    sink.frame(frame);
    return { dispose: () => this.sinks.delete(sink) };
  }

  get subscribers(): number {
    return this.sinks.size;
  }

  /** The whole screen as one frame (on subscribe, or for a client that fell behind). */
  fullFrame(): RowFrame {
    const state = this.screen.state();
    return {
      t: 'frame',
      pane: this.id,
      cols: state.cols,
      rows: state.rows,
      full: true,
      lines: state.lines.map((text, y) => [y, text]),
      cursor: state.cursor,
      altScreen: state.altScreen,
      ...(state.title !== undefined ? { title: state.title } : {}),
      modes: state.modes,
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.inputFirst.remove(this);
    this.kill('SIGHUP');
    this.scheduler.dispose();
    this.feeder.dispose();
    for (const listener of this.listeners) listener.dispose();
    this.sinks.clear();
    this.screen.dispose();
  }

  private start(): void {
    const options: PtySpawnOptions = { cwd: this.cwd, env: this.env, cols: this.cols, rows: this.rows };
    for (const listener of this.listeners.splice(0)) listener.dispose();
    this.exit = undefined;
    clearInterval(this.deathWatch);
    this.deathWatch = undefined;
    const pty = this.spawnPty(this.argv, options);
    this.pty = pty;
    this.flowPaused = false;
    this.ptyPaused = false;
    this.exiting = false;
    this.lastOutputAt = this.now();
    const flow: FlowControl = new FlowControl({
      pause: () => {
        this.flowPaused = true;
        this.syncPause();
      },
      resume: () => {
        this.flowPaused = false;
        this.syncPause();
      },
    });
    this.flow = flow;
    this.syncPause();
    this.listeners.push({
      dispose: () => {
        clearInterval(this.deathWatch);
        this.deathWatch = undefined;
      },
    });
    this.listeners.push(
      pty.onData((data) => {
        flow.received(data.length);
        this.lastOutputAt = this.now();
        if (this.trace?.length === 2) this.trace.push(performance.now());
        this.feeder.push(data);
      }),
      pty.onExit((exit) => {
        this.exiting = true;
        flow.finish();
        this.syncPause();
        // The exit is reported once the output before it is on the screen.
        this.feeder.whenDrained(() => {
          if (this.pty !== pty) return;
          this.exit = exit;
          this.scheduler.request();
          for (const listener of [...this.exitListeners]) listener(exit);
        });
      }),
    );
  }

  /** Output reached the screen: account for it and schedule a frame. */
  private parsed(size: number): void {
    this.flow?.parsed(size);
    if (this.sinks.size === 0) return;
    if (this.echoPending) {
      this.echoPending = false;
      this.inputFirst.answered(this);
      if (this.trace?.length === 3) this.trace.push(performance.now());
      this.scheduler.urgent();
      if (this.trace) this.traceEcho();
    } else this.scheduler.request();
  }

  private traceEcho(): void {
    const [input, written, output, parsed] = this.trace!;
    this.trace = undefined;
    if (parsed === undefined) return;
    const framed = performance.now();
    const f = (ms: number): string => ms.toFixed(2);
    process.stderr.write(`echo-trace ${this.id} at ${f(input!)} epoch ${f(performance.timeOrigin + input!)} write ${f(written! - input!)} output ${f(output! - written!)} parse ${f(parsed - output!)} frame ${f(framed - parsed)} total ${f(framed - input!)} ms\n`);
  }

  /** Sends the rows that changed since the last frame to every subscriber. */
  private broadcast(): void {
    if (this.disposed || this.sinks.size === 0) {
      this.sent = undefined;
      return;
    }
    const state = this.screen.state();
    const cursor = `${state.cursor.x},${state.cursor.y},${state.cursor.visible}`;
    const previous = this.sent;
    const full = !previous || previous.cols !== state.cols || previous.rows !== state.rows || previous.altScreen !== state.altScreen;
    const lines: Array<[number, string]> = [];
    state.lines.forEach((text, y) => {
      if (full || previous!.lines[y] !== text) lines.push([y, text]);
    });
    const modes = modesKey(state.modes);
    this.sent = { lines: state.lines, cursor, altScreen: state.altScreen, title: state.title, cols: state.cols, rows: state.rows, modes };
    const bell = this.screen.takeBell();
    if (!full && !bell && lines.length === 0 && previous!.cursor === cursor && previous!.title === state.title && previous!.modes === modes) return;
    const frame: RowFrame = {
      t: 'frame',
      pane: this.id,
      cols: state.cols,
      rows: state.rows,
      full,
      lines,
      cursor: state.cursor,
      altScreen: state.altScreen,
      ...(state.title !== undefined ? { title: state.title } : {}),
      modes: state.modes,
      ...(bell ? { bell: true as const } : {}),
    };
    for (const sink of [...this.sinks]) sink.frame(frame);
  }
}

function modesKey(modes: PaneModes): string {
  return `${modes.applicationCursor},${modes.bracketedPaste}`;
}
