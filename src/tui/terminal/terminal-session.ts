import { writeSync } from 'node:fs';
import {
  AUTOWRAP_OFF,
  AUTOWRAP_ON,
  CLEAR_SCREEN,
  DISABLE_BRACKETED_PASTE,
  ENABLE_BRACKETED_PASTE,
  ENTER_ALT_SCREEN,
  HIDE_CURSOR,
  LEAVE_ALT_SCREEN,
  SGR_RESET,
  SHOW_CURSOR,
} from '../render/ansi.js';

/** What the workstation does to the terminal, and undoes on every way out. */
export const ENTER_SEQUENCE = ENTER_ALT_SCREEN + SGR_RESET + CLEAR_SCREEN + HIDE_CURSOR + ENABLE_BRACKETED_PASTE + AUTOWRAP_OFF;
export const RESTORE_SEQUENCE = SGR_RESET + AUTOWRAP_ON + DISABLE_BRACKETED_PASTE + SHOW_CURSOR + LEAVE_ALT_SCREEN;

export interface TerminalStreams {
  readonly stdin: NodeJS.ReadStream;
  readonly stdout: NodeJS.WriteStream;
}

export interface TerminalSession {
  /** Puts the terminal back as it was (idempotent, synchronous, never throws). */
  restore(): void;
  /** Takes the terminal again after the process was stopped and continued (its modes may have been reset). */
  retake(): void;
}

/**
 * Takes over the terminal: alternate screen, raw input, bracketed paste, hidden cursor. The
 * returned `restore` undoes all of it, synchronously (so it works from `exit` and signal
 * handlers, where asynchronous writes would be lost).
 */
export function enterTerminal({ stdin, stdout }: TerminalStreams): TerminalSession {
  if (stdin.isTTY) stdin.setRawMode(true);
  writeNow(stdout, ENTER_SEQUENCE);
  let restored = false;
  return {
    retake(): void {
      if (restored) return;
      try {
        // libuv remembers the mode it set and skips a repeat: leave raw mode, then enter it again.
        if (stdin.isTTY) stdin.setRawMode(false).setRawMode(true);
      } catch {
        // no terminal any more
      }
      writeNow(stdout, ENTER_SEQUENCE);
    },
    restore(): void {
      if (restored) return;
      restored = true;
      writeNow(stdout, RESTORE_SEQUENCE);
      try {
        if (stdin.isTTY) stdin.setRawMode(false);
      } catch {
        // The terminal may be gone (SIGHUP): nothing left to restore.
      }
      stdin.pause();
    },
  };
}

/** Writes synchronously to the terminal's file descriptor when there is one. */
function writeNow(stdout: NodeJS.WriteStream, data: string): void {
  try {
    const fd = (stdout as { fd?: number }).fd;
    if (typeof fd === 'number') writeSync(fd, data);
    else stdout.write(data);
  } catch {
    // EIO / EPIPE: the terminal went away.
  }
}

export interface ExitGuards {
  /** Removes the handlers (after a normal exit). */
  dispose(): void;
}

/**
 * Restores the terminal on every way out that is not a normal return: SIGTERM, SIGHUP, SIGINT
 * (Ctrl-c while raw mode is not on yet, or `kill -INT`), an uncaught exception or an unhandled
 * rejection, and `exit`. Signals exit with 128 + the signal's number; errors print their stack
 * after the terminal is restored (so it is readable) and exit 1.
 */
export function installExitGuards(session: TerminalSession, proc: NodeJS.Process = process): ExitGuards {
  const signals: Array<[NodeJS.Signals, number]> = [
    ['SIGTERM', 15],
    ['SIGHUP', 1],
    ['SIGINT', 2],
    ['SIGQUIT', 3],
  ];
  const handlers: Array<[NodeJS.Signals, () => void]> = signals.map(([signal, number]) => {
    const handler = (): void => {
      session.restore();
      proc.exit(128 + number);
    };
    proc.on(signal, handler);
    return [signal, handler];
  });
  const onError = (error: unknown): void => {
    session.restore();
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    try {
      writeSync(2, `citadel: internal error: ${text}\n`);
    } catch {
      // stderr gone too.
    }
    proc.exit(1);
  };
  const onExit = (): void => session.restore();
  proc.on('uncaughtException', onError);
  proc.on('unhandledRejection', onError);
  proc.on('exit', onExit);
  return {
    dispose(): void {
      for (const [signal, handler] of handlers) proc.off(signal, handler);
      proc.off('uncaughtException', onError);
      proc.off('unhandledRejection', onError);
      proc.off('exit', onExit);
    },
  };
}
