/**
 * The channel between the home daemon and a host's keeper (docs/remote.md, "The channel"):
 * newline-delimited JSON over the stdio of `ssh -T … citadel host serve`, which relays it to
 * the keeper's unix socket. The agent's `citadel` on the host speaks the same lines to the
 * keeper's socket. No network port anywhere: everything rides ssh.
 */
import type { RowFrame } from '../daemon/protocol.js';

export const WIRE_VERSION = 1;
/** The longest line either side accepts (an input paste is the largest legitimate message). */
export const MAX_WIRE_LINE = 16 * 1024 * 1024;

/** What the home daemon asks the keeper to run (one polecat). */
export interface JobSpec {
  /** The polecat's name (its pane id). */
  readonly id: string;
  readonly bead: string;
  /** The bead itself, for agents that read it (the scripted agent). */
  readonly beadRecord: Record<string, unknown>;
  readonly branch: string;
  readonly mainBranch: string;
  /** Home main's tip: the host's clone must have it. */
  readonly mainHead: string;
  /** The shared git remote, as the host reaches it. */
  readonly remote: string;
  readonly argv: readonly string[];
  /** Added to the keeper's own environment for the agent. */
  readonly env: Readonly<Record<string, string>>;
  /** The town's gate commands when trusted at home (else none). */
  readonly gates: readonly (readonly string[])[];
  readonly cols: number;
  readonly rows: number;
}

export interface JobInfo {
  readonly id: string;
  readonly pid: number | null;
  readonly running: boolean;
  readonly bead: string;
  readonly worktree: string;
  readonly exitCode?: number | null;
}

/** home → keeper */
export type HomeMessage =
  | { t: 'req'; rid: number; verb: 'hello'; args: { version: number; town: string } }
  | { t: 'req'; rid: number; verb: 'start'; args: JobSpec }
  | { t: 'req'; rid: number; verb: 'clone'; args: { remote: string; mainBranch: string; mainHead: string } }
  | { t: 'req'; rid: number; verb: 'bundle'; args: { data: string; mainBranch: string; mainHead: string } }
  | { t: 'req'; rid: number; verb: 'kill'; args: { id: string; signal: string } }
  | { t: 'req'; rid: number; verb: 'forget'; args: { id: string } }
  | { t: 'attach'; id: string; cols: number; rows: number }
  | { t: 'input'; id: string; data: string }
  | { t: 'resize'; id: string; cols: number; rows: number }
  | { t: 'ret'; rid: number; ok: boolean; result?: unknown; error?: string };

/** keeper → home */
export type KeeperMessage =
  | { t: 'res'; rid: number; ok: boolean; result?: unknown; error?: string }
  | { t: 'frame'; id: string; frame: RowFrame; scrolled?: string[] }
  | { t: 'exit'; id: string; exitCode: number | null }
  | { t: 'call'; rid: number; id: string; verb: 'done' | 'cli'; args: Record<string, unknown> };

/** agent (`citadel` on the host) → keeper, one request per connection */
export type AgentMessage = { t: 'agent'; id: string; verb: 'job' | 'done' | 'cli'; args: Record<string, unknown> };

export interface WelcomeResult {
  readonly version: number;
  readonly pid: number;
  readonly jobs: readonly JobInfo[];
}

/** Splits a byte stream into lines; a line longer than the bound is an error (never held). */
export class LineReader {
  private pending = '';
  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onTooLong: () => void,
    private readonly max = MAX_WIRE_LINE,
  ) {}

  push(chunk: string): void {
    let start = 0;
    let text = chunk;
    for (;;) {
      const newline = text.indexOf('\n', start);
      if (newline === -1) break;
      const line = this.pending + text.slice(start, newline);
      this.pending = '';
      start = newline + 1;
      if (line.trim()) this.onLine(line);
    }
    this.pending += text.slice(start);
    text = '';
    if (this.pending.length > this.max) {
      this.pending = '';
      this.onTooLong();
    }
  }
}

/** Parses one line as a JSON object with a string `t`, or undefined. */
export function parseMessage<T extends { t: string }>(line: string): T | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    return value && typeof value === 'object' && typeof (value as { t?: unknown }).t === 'string' ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

export function encode(message: object): string {
  return `${JSON.stringify(message)}\n`;
}
