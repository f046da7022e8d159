/**
 * The pty behind a small interface (STYLE.md §2): the daemon's pane host, the witness and the
 * tests drive a `Pty`, never node-pty itself, so the loader is the one place that knows it.
 */

/** Something that can be undone: a listener, a timer, a process. */
export interface Disposable {
  dispose(): void;
}

export interface PtyExit {
  /** The exit code, or null when a signal ended the process. */
  exitCode: number | null;
  /** The signal number that ended it, if any. */
  signal?: number | undefined;
}

/** A running program on a pseudo-terminal. */
export interface Pty {
  readonly pid: number;
  /** Output as the program wrote it (UTF-8 decoded). */
  onData(listener: (data: string) => void): Disposable;
  /** Fires once, after the last `onData`. */
  onExit(listener: (exit: PtyExit) => void): Disposable;
  write(data: string): void;
  resize(cols: number, rows: number): void;
  /** Sends a signal to the program (default SIGHUP, as a closing terminal would). */
  kill(signal?: string): void;
  /** Stop reading the program's output (flow control); the kernel then blocks its writes. */
  pause(): void;
  resume(): void;
}

export interface PtySpawnOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  cols: number;
  rows: number;
  /** $TERM for the program (default xterm-256color). */
  term?: string;
}

/** Starts `argv[0]` with `argv.slice(1)` — an argv array, never a shell string. */
export type SpawnPty = (argv: readonly string[], options: PtySpawnOptions) => Pty;
