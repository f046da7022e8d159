import { createRequire } from 'node:module';
import type { IBufferCell, ITerminalAddon, Terminal as TerminalType } from '@xterm/headless';
import type { Cursor, PaneModes } from './protocol.js';
import { encodeRow, plainRow } from './row-encoder.js';

// @xterm/headless ships CommonJS only; the daemon loads it once, never on a data command's path.
const require = createRequire(import.meta.url);
const { Terminal } = require('@xterm/headless') as { Terminal: typeof TerminalType };
const { Unicode11Addon } = require('@xterm/addon-unicode11') as { Unicode11Addon: new () => ITerminalAddon };

/** xterm's synchronous write path (the public `write` waits a `setTimeout` per call). */
interface SyncWritable {
  _core: { _writeBuffer: { writeSync(data: string): void } };
}

/** xterm's BufferLine, as far as {@link lighterRecycling} touches it. */
interface BufferLineInternals {
  length: number;
  isWrapped: boolean;
  _data: Uint32Array;
  _combined: Record<number, string>;
  _extendedAttrs: Record<number, unknown>;
}

let recyclingPatched = false;

/**
 * Once a screen's scrollback is full, xterm recycles its oldest line for each new one and copies
 * a blank line over it (`BufferLine.copyFrom`), which gives the recycled line two new empty
 * objects (its combined characters and extended attributes) every time: at a flood's rate, two
 * objects per line that live in the scrollback long enough to be promoted, then die — half the
 * young collections of a flood (82 → 43 scavenges for 25 MB of a build log). The same copy,
 * keeping the line's own objects when both sides have none (the usual case: no combining marks,
 * no underline styles or links).
 */
function lighterRecycling(line: BufferLineInternals | undefined): void {
  if (recyclingPatched || !line) return;
  const proto = Object.getPrototypeOf(line) as { copyFrom?: unknown };
  if (typeof proto.copyFrom !== 'function' || !(line._data instanceof Uint32Array) || typeof line._combined !== 'object' || typeof line._extendedAttrs !== 'object') return;
  recyclingPatched = true;
  const empty = (o: object): boolean => {
    for (const _ in o) return false;
    return true;
  };
  proto.copyFrom = function copyFrom(this: BufferLineInternals, from: BufferLineInternals): void {
    if (this.length !== from.length) this._data = new Uint32Array(from._data);
    else this._data.set(from._data);
    this.length = from.length;
    if (!empty(this._combined) || !empty(from._combined)) this._combined = { ...from._combined };
    if (!empty(this._extendedAttrs) || !empty(from._extendedAttrs)) this._extendedAttrs = { ...from._extendedAttrs };
    this.isWrapped = from.isWrapped;
  };
}

/** What a screen looks like at one moment, as rows ready for a client. */
export interface ScreenState {
  cols: number;
  rows: number;
  lines: string[];
  cursor: Cursor;
  altScreen: boolean;
  title: string | undefined;
  modes: PaneModes;
}

/**
 * One pane's terminal: an @xterm/headless screen with bounded scrollback, fed the pty's output.
 * The daemon parses each pane once, here, and clients only ever see encoded rows.
 */
export class Screen {
  readonly terminal: TerminalType;
  private cursorVisible = true;
  private currentTitle: string | undefined;
  /** The program rang the bell since the last `takeBell`. */
  private rang = false;
  private readonly scratch: IBufferCell;
  private readonly sync: { writeSync(data: string): void };

  constructor(cols: number, rows: number, scrollback: number) {
    this.terminal = new Terminal({ cols, rows, scrollback, allowProposedApi: true });
    // Emoji and CJK widths as today's terminals draw them (the TUI's charWidth agrees).
    this.terminal.loadAddon(new Unicode11Addon());
    this.terminal.unicode.activeVersion = '11';
    this.sync = (this.terminal as unknown as SyncWritable)._core._writeBuffer;
    lighterRecycling((this.terminal as unknown as { _core: { buffer: { lines: { get(i: number): BufferLineInternals | undefined } } } })._core.buffer?.lines?.get(0));
    // DECTCEM (CSI ? 25 h/l) is not exposed by the headless API: watch it, and let xterm handle it too.
    this.terminal.parser.registerCsiHandler({ prefix: '?', final: 'h' }, (params) => {
      if (params.includes(25)) this.cursorVisible = true;
      return false;
    });
    this.terminal.parser.registerCsiHandler({ prefix: '?', final: 'l' }, (params) => {
      if (params.includes(25)) this.cursorVisible = false;
      return false;
    });
    this.terminal.parser.registerEscHandler({ final: 'c' }, () => {
      this.cursorVisible = true;
      return false;
    });
    this.terminal.onTitleChange((title) => {
      this.currentTitle = title;
    });
    this.terminal.onBell(() => {
      this.rang = true;
    });
    this.scratch = this.terminal.buffer.active.getNullCell();
  }

  get cols(): number {
    return this.terminal.cols;
  }

  get rows(): number {
    return this.terminal.rows;
  }

  get altScreen(): boolean {
    return this.terminal.buffer.active.type === 'alternate';
  }

  get title(): string | undefined {
    return this.currentTitle;
  }

  /** Whether the program rang the bell (BEL) since the last call. */
  takeBell(): boolean {
    const rang = this.rang;
    this.rang = false;
    return rang;
  }

  /** Parses output now (callers bound how much per event-loop turn: see ScreenFeeder). */
  write(data: string): void {
    this.sync.writeSync(data);
  }

  /** The program's key modes: how the client must encode arrows and pastes for it. */
  modes(): PaneModes {
    const modes = this.terminal.modes;
    return { applicationCursor: modes.applicationCursorKeysMode, bracketedPaste: modes.bracketedPasteMode };
  }

  resize(cols: number, rows: number): void {
    this.terminal.resize(cols, rows);
  }

  cursor(): Cursor {
    const buffer = this.terminal.buffer.active;
    return { x: Math.min(buffer.cursorX, this.cols - 1), y: buffer.cursorY, visible: this.cursorVisible };
  }

  /** Visible row `y` (0 = top of the screen), encoded. */
  row(y: number): string {
    const buffer = this.terminal.buffer.active;
    return encodeRow(buffer.getLine(buffer.baseY + y), this.cols, this.scratch);
  }

  state(): ScreenState {
    const lines: string[] = [];
    for (let y = 0; y < this.rows; y++) lines.push(this.row(y));
    return { cols: this.cols, rows: this.rows, lines, cursor: this.cursor(), altScreen: this.altScreen, title: this.title, modes: this.modes() };
  }

  /** Every line held: scrollback then screen. */
  get length(): number {
    return this.terminal.buffer.active.length;
  }

  /** Index of the screen's top row within `length` (rows above it are scrollback). */
  get baseY(): number {
    return this.terminal.buffer.active.baseY;
  }

  /** Lines `from` .. `from + count - 1` of the whole buffer, styled or as plain text. */
  lines(from: number, count: number, plain: boolean): Array<[number, string]> {
    const buffer = this.terminal.buffer.active;
    const start = Math.max(0, from);
    const end = Math.min(buffer.length, from + count);
    const out: Array<[number, string]> = [];
    for (let i = start; i < end; i++) {
      const line = buffer.getLine(i);
      out.push([i, plain ? plainRow(line) : encodeRow(line, this.cols, this.scratch)]);
    }
    return out;
  }

  /**
   * Which of lines `from` .. `from + count - 1` continue the line before them (xterm's
   * `isWrapped`: a long line the terminal wrapped, not a newline), as their indexes.
   */
  wrappedLines(from: number, count: number): number[] {
    const buffer = this.terminal.buffer.active;
    const end = Math.min(buffer.length, from + count);
    const out: number[] = [];
    for (let i = Math.max(0, from); i < end; i++) if (buffer.getLine(i)?.isWrapped) out.push(i);
    return out;
  }

  /** The visible screen as plain text, trailing blank lines dropped (for `peek`). */
  text(): string {
    const rows = this.lines(this.baseY, this.rows, true).map(([, text]) => text);
    while (rows.length > 0 && rows[rows.length - 1] === '') rows.pop();
    return rows.join('\n');
  }

  /** The bottom `count` non-blank lines of the screen, plain, for the witness's prompt patterns. */
  bottomLines(count: number): string[] {
    const rows = this.text().split('\n');
    return rows.slice(-count);
  }

  dispose(): void {
    this.terminal.dispose();
  }
}
