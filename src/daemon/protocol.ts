/**
 * The daemon's wire protocol: newline-delimited JSON over a unix socket (docs/architecture.md,
 * "Daemon protocol"). The daemon is the terminal: it parses every pane's output once, in an
 * @xterm/headless screen, and sends clients *row frames* — styled rows ready to be written —
 * so clients never parse pane output.
 *
 * Bounds (server.ts, docs/daemon.md "Socket bounds"): a line before hello is at most 64 KiB,
 * after it 16 MiB (`MAX_LINE`); a connection must say hello within 10 s. A violation gets one
 * `res` with id 0 and code `refused`, and the connection is closed.
 */

import { CitadelError } from '../common/errors.js';
import { argvArg, envArg, intArg, optionalInt, optionalString, stringArg } from './args.js';

export const PROTOCOL_VERSION = 1;

/** A pane's cursor, in the pane's own cell coordinates (0-based). */
export interface Cursor {
  x: number;
  y: number;
  visible: boolean;
}

/**
 * One frame of a pane's screen. `full` frames carry every row (on subscribe, after a resize or
 * a screen switch); others only the rows that changed. Each row is a string of exactly `cols`
 * cells, rendered as text with SGR escape sequences (colors 16/256/truecolor, bold, dim,
 * italic, underline, inverse…), starting from a reset and ending with a reset, so a client
 * writes it after a cursor-positioning sequence and nothing else. Wide characters take two
 * cells (the continuation cell emits nothing).
 */
export interface RowFrame {
  t: 'frame';
  pane: string;
  cols: number;
  rows: number;
  full: boolean;
  /** [row index, styled row text] */
  lines: Array<[number, string]>;
  cursor: Cursor;
  /** Whether the program is on the alternate screen (vim, less, htop…). */
  altScreen: boolean;
  /** Set by the program (OSC 0/2), if any. */
  title?: string;
  /** The program's key modes, so a client encodes arrows and pastes as it expects. */
  modes?: PaneModes;
  /** The program rang the bell (BEL) since the previous frame (the client flags its page, as tmux's `!`). */
  bell?: true;
}

/** Key modes a program set in its terminal (added in protocol 1; absent from older daemons). */
export interface PaneModes {
  /** DECCKM (CSI ? 1 h): arrows as ESC O A instead of ESC [ A (vim, less, htop). */
  applicationCursor: boolean;
  /** Mode 2004: the program wants pastes wrapped in ESC [ 200~ … ESC [ 201~. */
  bracketedPaste: boolean;
}

/** What the daemon knows about one pane (a polecat's pty). */
export interface PaneInfo {
  /** The pane id: the polecat's name. */
  id: string;
  polecat: string;
  bead?: string | undefined;
  branch?: string | undefined;
  worktree?: string | undefined;
  argv: string[];
  pid?: number | undefined;
  cols: number;
  rows: number;
  /** The witness's view: working, waiting, idle, stuck, exited, lost. */
  status: string;
  /** When the pane entered `status`, in ms since the epoch by the daemon's clock (the overview's time in state). */
  statusSince?: number | undefined;
  exitCode?: number | null | undefined;
}

// ── client → daemon ─────────────────────────────────────────────────────────────────────────

export interface Hello {
  t: 'hello';
  token: string;
  version: number;
  /** What the client is, for `daemon status` ("tui", "cli", "test"). */
  client: string;
}

/** `scrollback`'s answer: lines of the pane's buffer, index 0 = the oldest line kept. */
export interface ScrollbackResult {
  pane: string;
  cols: number;
  rows: number;
  /** Lines in the buffer (scrollback and screen). */
  total: number;
  /** The index of the screen's top line. */
  baseY: number;
  /** [line index, text] — styled as rows are, or plain text with `plain: true`. */
  lines: Array<[number, string]>;
  /**
   * The indexes (as in `lines`) of the lines that continue the line before them: the terminal
   * wrapped a long line there, it is no newline (copy mode joins them, as tmux does). Absent
   * from older daemons: treat every line as its own.
   */
  wrapped?: number[];
}

/** `status`'s answer (`citadel daemon status` prints it, renaming `running` to `running_panes`). */
export interface StatusResult {
  pid: number;
  town: string;
  socket: string;
  startedAt: string;
  uptimeSeconds: number;
  /** Panes the daemon holds, and how many of them have a live program. */
  panes: number;
  running: number;
  clients: Array<{ id: number; client: string }>;
  memory: { rss: number; heapUsed: number };
  refinery: 'running' | 'waiting' | 'stopped' | 'off';
  scheduler: { state: string; busy?: number; next?: string[] };
}

/** `spawn` either a polecat recorded in the journal, or a plain program (tests, the demo). */
export type SpawnArgs = PaneSize & ({ polecat: string } | { id: string; argv: string[]; cwd?: string; env?: Record<string, string> });

export interface PaneSize {
  cols?: number;
  rows?: number;
}

/** Verbs that take no arguments send `{}`. */
type NoArgs = Record<string, never>;

/**
 * THE verb map: each verb's arguments and result. The client's `request` (client.ts) and the
 * daemon's handler table (daemon.ts) are both typed by it, and {@link parseArgs} checks what
 * arrives on the socket against it — so a handler answering the wrong shape, or a caller passing
 * the wrong arguments, fails typecheck, and a peer sending them gets one `invalid` line.
 */
export interface VerbMap {
  list: { args: NoArgs; result: PaneInfo[] };
  /** A full `frame` is sent first, then frames of changed rows. */
  subscribe: { args: { pane: string }; result: PaneInfo };
  unsubscribe: { args: { pane: string }; result: null };
  /** `from`/`count` over the whole buffer, or `above: N`: the screen and N lines above it. */
  scrollback: { args: { pane: string; from?: number; count?: number; plain?: boolean; above?: number }; result: ScrollbackResult };
  /** Refused once the program exited. */
  input: { args: { pane: string; data: string }; result: null };
  /** A pane has one size: that asked for by the most recently active client still attached (tmux window-size latest). */
  resize: { args: { pane: string; cols: number; rows: number }; result: null };
  spawn: { args: SpawnArgs; result: PaneInfo };
  /** Answers once the program is gone and its exit recorded. */
  kill: { args: { pane: string; remove?: boolean }; result: null };
  /** A polecat restarts in its worktree with its bead; the screen is kept. */
  restart: { args: { pane: string }; result: PaneInfo };
  status: { args: NoArgs; result: StatusResult };
  stop: { args: NoArgs; result: { stopping: true } };
}

export type Verb = keyof VerbMap;
export type Args<V extends Verb> = VerbMap[V]['args'];
export type Result<V extends Verb> = VerbMap[V]['result'];
/** A verb's arguments as `request`'s rest parameter: optional when the verb needs none. */
export type ArgsParam<V extends Verb> = Record<string, never> extends Args<V> ? [args?: Args<V>] : [args: Args<V>];

const PANE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** `spawn`'s `id`: how the daemon names a pane it starts for a plain program. */
function paneId(args: Record<string, unknown>): string {
  const id = stringArg(args, 'id');
  if (!PANE_ID.test(id)) throw new CitadelError('invalid', `invalid pane id ${JSON.stringify(id).slice(0, 80)}: letters, digits, ".", "_", "-"`);
  return id;
}

function optionalBool(args: Record<string, unknown>, name: string): boolean | undefined {
  const value = args[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new CitadelError('invalid', `"${name}" must be true or false`);
  return value;
}

function size(args: Record<string, unknown>): PaneSize {
  return { cols: optionalInt(args, 'cols', 2, 1000), rows: optionalInt(args, 'rows', 1, 500) };
}

/**
 * The runtime half of {@link VerbMap}: one small hand check per verb (no zod: the daemon and
 * every CLI call load this file, and zod's import alone costs ~50 ms). Each throws a
 * CitadelError `invalid` naming the argument; unknown keys are ignored (an older or newer
 * client may send more). Applied by the daemon to every request before its handler runs.
 */
export const parseArgs: { readonly [V in Verb]: (args: Record<string, unknown>) => Args<V> } = {
  list: () => ({}),
  subscribe: (args) => ({ pane: stringArg(args, 'pane') }),
  unsubscribe: (args) => ({ pane: stringArg(args, 'pane') }),
  scrollback: (args) => ({
    pane: stringArg(args, 'pane'),
    from: optionalInt(args, 'from', 0, Number.MAX_SAFE_INTEGER),
    count: optionalInt(args, 'count', 1, 1_000_000),
    plain: optionalBool(args, 'plain'),
    above: optionalInt(args, 'above', 0, 1_000_000),
  }),
  input: (args) => {
    if (typeof args.data !== 'string') throw new CitadelError('invalid', '"data" must be a string');
    return { pane: stringArg(args, 'pane'), data: args.data };
  },
  resize: (args) => ({ pane: stringArg(args, 'pane'), cols: intArg(args, 'cols', 2, 1000), rows: intArg(args, 'rows', 1, 500) }),
  spawn: (args) => {
    const polecat = optionalString(args, 'polecat');
    if (polecat) return { ...size(args), polecat };
    return { ...size(args), id: paneId(args), argv: argvArg(args, 'argv'), cwd: optionalString(args, 'cwd'), env: envArg(args, 'env') };
  },
  kill: (args) => ({ pane: stringArg(args, 'pane'), remove: optionalBool(args, 'remove') }),
  restart: (args) => ({ pane: stringArg(args, 'pane') }),
  status: () => ({}),
  stop: () => ({}),
};

/** Whether `verb` is one of the protocol's (an own key of the verb map, never `__proto__`). */
export function isVerb(verb: string): verb is Verb {
  return Object.hasOwn(parseArgs, verb);
}

export interface Request {
  t: 'req';
  id: number;
  verb: Verb | string;
  args?: Record<string, unknown>;
}

// ── daemon → client ─────────────────────────────────────────────────────────────────────────

export interface Welcome {
  t: 'welcome';
  version: number;
  town: string;
  pid: number;
}

export interface Response {
  t: 'res';
  id: number;
  ok: boolean;
  result?: unknown;
  error?: { code: string; message: string };
}

/** The pane list changed (spawned, exited, status, resized). */
export interface PanesEvent {
  t: 'panes';
  panes: PaneInfo[];
}

/** The journal moved on (so clients can refresh their board without watching files). */
export interface JournalEvent {
  t: 'journal';
  seq: number;
}

export type ClientMessage = Hello | Request;
export type DaemonMessage = Welcome | Response | RowFrame | PanesEvent | JournalEvent;
