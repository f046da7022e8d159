import { readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { appendPrivate, ensurePrivateDir, writePrivate } from '../town/private-fs.js';

/** The result of one gate command. */
export interface GateResult {
  readonly argv: readonly string[];
  /** Exit code; null when it was killed (timeout, cancel) or could not start. */
  readonly code: number | null;
  readonly ok: boolean;
  readonly ms: number;
  readonly timedOut: boolean;
  /** The last lines of its output (stdout and stderr interleaved). */
  readonly tail: string;
}

export interface RunGateOptions {
  readonly cwd: string;
  readonly timeoutMs: number;
  /** Output (and a header per gate) is appended here. */
  readonly logFile: string;
  /** Where the running gate's process group is recorded, so a restarted refinery can end an orphan. */
  readonly pidFile?: string;
  readonly signal?: AbortSignal;
  readonly env?: NodeJS.ProcessEnv;
}

const tailBytes = 4096;
const graceMs = 3000;

/**
 * Runs one gate (an argv array, never a shell string) through execa in its own process group,
 * appending its output to the log. A timeout or an abort ends the whole group (a test runner's
 * children too): SIGTERM, then SIGKILL after a grace period.
 */
export async function runGate(argv: readonly string[], options: RunGateOptions): Promise<GateResult> {
  const { execa } = await import('execa');
  const [file, ...args] = argv;
  if (!file) throw new CitadelError('invalid', 'a gate is an empty command');
  ensurePrivateDir(dirname(options.logFile));
  appendPrivate(options.logFile, `$ ${argv.map(quoteForDisplay).join(' ')}\n`);
  const started = Date.now();
  let tail = '';
  let timedOut = false;
  const child = execa(file, args, {
    cwd: options.cwd,
    env: { CITADEL_GATE: '1', ...options.env },
    all: true,
    buffer: false,
    reject: false,
    stdin: 'ignore',
    detached: true,
  });
  const pid = child.pid;
  // The group's leader, its folder and its start time: enough for a restarted refinery to end
  // this group after a kill -9, and to tell it from a process that got the same pid since.
  if (pid !== undefined && options.pidFile) writePrivate(options.pidFile, `${pid}\n${options.cwd}\n${startTime(pid) ?? ''}\n`);
  const killGroup = (signal: NodeJS.Signals): void => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  };
  let escalate: NodeJS.Timeout | undefined;
  const stop = (): void => {
    killGroup('SIGTERM');
    escalate ??= setTimeout(() => killGroup('SIGKILL'), graceMs);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, options.timeoutMs);
  options.signal?.addEventListener('abort', stop, { once: true });
  child.all?.on('data', (chunk: Buffer) => {
    appendPrivate(options.logFile, chunk);
    tail = (tail + chunk.toString('utf8')).slice(-tailBytes);
  });
  const result = await child;
  clearTimeout(timer);
  if (escalate) clearTimeout(escalate);
  options.signal?.removeEventListener('abort', stop);
  // The group may still hold children that ignored the leader's exit: end them.
  killGroup('SIGKILL');
  if (options.pidFile) rmSync(options.pidFile, { force: true });
  const ms = Date.now() - started;
  const code = typeof result.exitCode === 'number' ? result.exitCode : null;
  const ok = code === 0 && !timedOut;
  let summary = ok ? `exit 0` : timedOut ? `timed out after ${Math.round(options.timeoutMs / 1000)} s` : code === null ? `killed (${result.signal ?? 'could not start'})` : `exit ${code}`;
  if (result.failed && code === null && !timedOut && result.originalMessage && !result.signal) summary = `could not start: ${result.originalMessage}`;
  appendPrivate(options.logFile, `${tail.endsWith('\n') || tail === '' ? '' : '\n'}-- ${summary} in ${ms} ms\n`);
  if (code === null && !timedOut && !result.signal) tail = `${tail}${result.originalMessage ?? ''}`;
  return { argv, code, ok, ms, timedOut, tail: lastLines(tail, 20) };
}

/**
 * Ends a gate process group left behind by a refinery that was killed (`kill -9` of the
 * daemon in the middle of a gate), before anything runs again: SIGKILL to the group, then a
 * wait (bounded) until none of its processes is left running. Only a group that is still
 * ours: its leader must have the recorded start time and run in the recorded folder, so a
 * pid reused by another process since is never signalled.
 */
export async function endOrphanGate(pidFile: string, waitMs = 5000): Promise<void> {
  let text: string;
  try {
    text = readFileSync(pidFile, 'utf8');
  } catch {
    return;
  }
  const [pidText, cwd, started] = text.split('\n');
  const pid = Number(pidText);
  if (Number.isInteger(pid) && pid > 1 && isSameProcess(pid, cwd ?? '', started ?? '')) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    const deadline = Date.now() + waitMs;
    while (groupRunning(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  rmSync(pidFile, { force: true });
}

/** Guards against pid reuse (Linux /proc): same start time when recorded, and still in the refinery's worktree. */
function isSameProcess(pid: number, cwd: string, started: string): boolean {
  if (started !== '' && startTime(pid) !== started) return false;
  try {
    return cwd !== '' && readlinkSync(`/proc/${pid}/cwd`).startsWith(cwd);
  } catch {
    return false;
  }
}

/** The fields of /proc/PID/stat after the command name (field 3, the state, first). */
function statFields(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** A process's start time (clock ticks after boot, /proc/PID/stat field 22), or undefined. */
export function startTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** Whether any process of group `pgid` is still running (a zombie waiting to be reaped is not). */
function groupRunning(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return false;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (fields && Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

export function lastLines(text: string, count: number): string {
  return text.replace(/\n+$/, '').split('\n').slice(-count).join('\n');
}

function quoteForDisplay(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Splits a molecule step's `Gate:` text into an argv without a shell: words separated by
 * spaces, with '…' and "…" quoting. Shell operators are refused rather than misread.
 */
export function splitGate(text: string): string[] {
  const argv: string[] = [];
  let current = '';
  let quote: '"' | "'" | null = null;
  let started = false;
  for (const ch of text.trim()) {
    if (quote) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) argv.push(current);
      current = '';
      started = false;
    } else if ('|&;<>`$'.includes(ch)) {
      throw new CitadelError('invalid', `gate ${JSON.stringify(text)}: shell syntax (${ch}) is not supported; gates run without a shell`);
    } else {
      current += ch;
      started = true;
    }
  }
  if (quote) throw new CitadelError('invalid', `gate ${JSON.stringify(text)}: unterminated quote`);
  if (started) argv.push(current);
  if (argv.length === 0) throw new CitadelError('invalid', 'a gate is an empty command');
  return argv;
}
