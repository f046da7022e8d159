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

export type Verb =
  | 'list'
  | 'subscribe'
  | 'unsubscribe'
  | 'scrollback'
  | 'input'
  | 'resize'
  | 'spawn'
  | 'kill'
  | 'restart'
  | 'status'
  | 'stop';

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
