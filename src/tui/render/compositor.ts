import type { PaneLayout, ScreenLayout } from '../layout/screen-layout.js';
import type { Rect } from '../layout/rect.js';
import {
  BEGIN_SYNC,
  CLEAR_SCREEN,
  END_SYNC,
  ERASE_LINE_RIGHT,
  HIDE_CURSOR,
  SGR_RESET,
  SHOW_CURSOR,
  cursorTo,
} from './ansi.js';
import { sliceCells, stripAnsi, textWidth } from './cells.js';
import type { PaneScreen } from './pane-screen.js';

/** Where the compositor writes: the real terminal. `write` returns false when the stream is full. */
export interface TerminalOutput {
  write(data: string): boolean;
  /** Calls `listener` once when a full stream can take more. */
  onceDrain(listener: () => void): void;
}

/** What a pane shows instead of its live screen (copy mode): rows of exactly the body's width. */
export interface PaneOverride {
  lines: readonly string[];
  /** Where to show the cursor, in body cells, if anywhere. */
  cursor?: { x: number; y: number } | undefined;
}

/**
 * The one writer of the real terminal. It owns three sources: the chrome (Ink's frame, with blank
 * pane rectangles), the panes' screens (from the daemon's row frames), and the message line. On
 * each flush it writes, inside one synchronized-output batch (DEC 2026): the chrome lines that
 * changed since the last flush with the pane segments laid back over them, then only the pane rows
 * that changed, each cursor-addressed, then the focused pane's cursor. Flushes are coalesced
 * (one per event-loop turn) and paused while the terminal is not draining, so a fast pane skips
 * intermediate states instead of queueing them.
 */
export class Compositor {
  private layout: ScreenLayout | undefined;
  private chrome: string[] = [];
  private written: (string | undefined)[] = [];
  private message = '';
  private writtenMessage: string | undefined;
  private readonly overrides = new Map<string, PaneOverride>();
  private readonly dirtyOverrides = new Set<string>();
  private occluders: readonly Rect[] = [];
  private cursorPane: string | undefined;
  private cursorHidden = false;
  private scheduled = false;
  private waitingForDrain = false;
  private fullRepaint = true;
  private closed = false;
  /** Bytes written so far, for benchmarks and tests. */
  bytesWritten = 0;

  constructor(
    private readonly out: TerminalOutput,
    private readonly screens: ReadonlyMap<string, PaneScreen>,
    private readonly schedule: (callback: () => void) => void = setImmediate,
  ) {}

  /** A new layout (resize, zoom, panes added or removed): everything is redrawn. */
  setLayout(layout: ScreenLayout): void {
    this.layout = layout;
    this.fullRepaint = true;
    this.request();
  }

  /** Ink's latest frame: one string, lines separated by "\n". */
  setChrome(frame: string): void {
    const lines = frame.split('\n');
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    this.chrome = lines;
    this.request();
  }

  /** The bottom line (already styled, at most the terminal's width). */
  setMessage(text: string): void {
    if (text === this.message) return;
    this.message = text;
    this.request();
  }

  /** Shows `override` instead of the pane's live screen, or the live screen again with undefined. */
  setOverride(pane: string, override: PaneOverride | undefined): void {
    if (override) this.overrides.set(pane, override);
    else this.overrides.delete(pane);
    this.dirtyOverrides.add(pane);
    this.request();
  }

  /** Rectangles drawn by the chrome over the panes (overlays): pane rows are not written there. */
  setOccluders(rects: readonly Rect[]): void {
    if (JSON.stringify(rects) === JSON.stringify(this.occluders)) return;
    this.occluders = rects;
    this.fullRepaint = true;
    this.request();
  }

  /** The pane whose cursor the terminal's cursor shows (the focused one), or none. */
  setCursorPane(pane: string | undefined): void {
    if (pane === this.cursorPane) return;
    this.cursorPane = pane;
    this.request();
  }

  /** A pane's screen changed (its dirty rows say where). */
  paneChanged(_pane: string): void {
    this.request();
  }

  /** Everything is drawn again on the next flush (after the terminal was cleared, or on attach). */
  invalidate(): void {
    this.fullRepaint = true;
    this.request();
  }

  close(): void {
    this.closed = true;
  }

  /** Asks for a flush on the next turn of the event loop (coalescing every change until then). */
  request(): void {
    if (this.scheduled || this.waitingForDrain || this.closed) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /** Writes what changed, as one synchronized batch. Returns the bytes written (0 when nothing changed). */
  flush(): number {
    const layout = this.layout;
    if (!layout || this.closed) return 0;
    const batch = layout.tooSmall ? this.drawTooSmall(layout) : this.draw(layout);
    if (batch === '') return 0;
    const data = BEGIN_SYNC + batch + END_SYNC;
    this.bytesWritten += data.length;
    if (!this.out.write(data)) {
      this.waitingForDrain = true;
      this.out.onceDrain(() => {
        this.waitingForDrain = false;
        this.request();
      });
    }
    return data.length;
  }

  private drawTooSmall(layout: ScreenLayout): string {
    if (!this.fullRepaint) return '';
    this.fullRepaint = false;
    this.written = [];
    this.writtenMessage = undefined;
    const text = layout.tooSmall ?? '';
    const lines = wrap(text, Math.max(1, layout.cols - 2));
    const top = Math.max(0, Math.floor((layout.rows - lines.length) / 2));
    let out = HIDE_CURSOR + SGR_RESET + CLEAR_SCREEN;
    lines.forEach((line, i) => {
      out += cursorTo(Math.max(0, Math.floor((layout.cols - textWidth(line)) / 2)), top + i) + line;
    });
    this.cursorHidden = true;
    return out;
  }

  private draw(layout: ScreenLayout): string {
    let out = '';
    const full = this.fullRepaint;
    if (full) {
      // No clear: every row is written below (chrome line + erase to its end, panes over it),
      // so a terminal without synchronized output never shows a blank frame.
      this.written = [];
      this.writtenMessage = undefined;
    }
    const redrawnRows = new Set<number>();
    const height = layout.chrome.height;
    for (let y = 0; y < height; y++) {
      const line = this.chrome[y] ?? '';
      if (!full && this.written[y] === line) continue;
      this.written[y] = line;
      redrawnRows.add(y);
      out += cursorTo(0, y) + SGR_RESET + line + SGR_RESET + eraseAfter(line, layout.cols);
      for (const pane of layout.panes) {
        if (y >= pane.body.y && y < pane.body.y + pane.body.height) out += this.segment(pane, y - pane.body.y);
      }
    }
    for (const pane of layout.panes) {
      const screen = this.screens.get(pane.id);
      const override = this.overrides.get(pane.id);
      const wholePane = full || this.dirtyOverrides.has(pane.id) || (!override && screen?.all === true);
      if (wholePane) {
        for (let r = 0; r < pane.body.height; r++) if (!redrawnRows.has(pane.body.y + r)) out += this.segment(pane, r);
      } else if (!override && screen) {
        for (const r of screen.dirty) {
          if (r < pane.body.height && !redrawnRows.has(pane.body.y + r)) out += this.segment(pane, r);
        }
      }
    }
    for (const screen of this.screens.values()) screen.clean();
    this.dirtyOverrides.clear();
    if (full || this.message !== this.writtenMessage) {
      this.writtenMessage = this.message;
      out += cursorTo(0, layout.messageLine.y) + SGR_RESET + this.message + SGR_RESET + eraseAfter(this.message, layout.cols);
    }
    this.fullRepaint = false;
    if (out === '' && !this.cursorMoved(layout)) return '';
    return HIDE_CURSOR + out + this.cursor(layout);
  }

  private lastCursor = '';
  private cursorMoved(layout: ScreenLayout): boolean {
    return this.cursor(layout, false) !== this.lastCursor;
  }

  /** The sequence that leaves the terminal's cursor where the focused pane's cursor is. */
  private cursor(layout: ScreenLayout, remember = true): string {
    let seq = HIDE_CURSOR;
    const pane = this.cursorPane !== undefined ? layout.panes.find((p) => p.id === this.cursorPane) : undefined;
    if (pane) {
      const override = this.overrides.get(pane.id);
      const screen = this.screens.get(pane.id);
      const c = override ? override.cursor : screen?.cursor.visible ? screen.cursor : undefined;
      if (c && c.x < pane.body.width && c.y < pane.body.height && !this.occluded(pane.body.x + c.x, pane.body.y + c.y)) {
        seq = cursorTo(pane.body.x + c.x, pane.body.y + c.y) + SHOW_CURSOR;
      }
    }
    if (remember) {
      this.lastCursor = seq;
      this.cursorHidden = seq === HIDE_CURSOR;
    }
    return seq;
  }

  /** Whether the terminal's cursor is hidden after the last flush (for tests). */
  get isCursorHidden(): boolean {
    return this.cursorHidden;
  }

  private occluded(x: number, y: number): boolean {
    return this.occluders.some((r) => x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height);
  }

  /** Row `r` of a pane's body, cursor-addressed, clipped to its rectangle and around overlays. */
  private segment(pane: PaneLayout, r: number): string {
    const { body } = pane;
    const y = body.y + r;
    const override = this.overrides.get(pane.id);
    const screen = this.screens.get(pane.id);
    const line = override ? override.lines[r] : screen?.lines[r];
    const exact = !override && screen !== undefined && screen.cols === body.width;
    const spans = visibleSpans(body.x, body.width, y, this.occluders);
    let out = '';
    for (const [x, width] of spans) {
      if (line === undefined) out += cursorTo(x, y) + SGR_RESET + ' '.repeat(width);
      else if (exact && x === body.x && width === body.width) out += cursorTo(x, y) + line;
      else out += cursorTo(x, y) + sliceCells(line, x - body.x, width);
    }
    return out;
  }
}

/** The parts of the row segment [x, x + width) on row y not covered by any occluder. */
function visibleSpans(x: number, width: number, y: number, occluders: readonly Rect[]): Array<[number, number]> {
  let spans: Array<[number, number]> = [[x, width]];
  for (const o of occluders) {
    if (y < o.y || y >= o.y + o.height) continue;
    const next: Array<[number, number]> = [];
    for (const [sx, sw] of spans) {
      const left = Math.min(sx + sw, o.x) - sx;
      if (left > 0) next.push([sx, left]);
      const rightStart = Math.max(sx, o.x + o.width);
      if (rightStart < sx + sw) next.push([rightStart, sx + sw - rightStart]);
    }
    spans = next;
  }
  return spans;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && textWidth(line) + 1 + textWidth(word) > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * The erase-to-end-of-line after a row, only when the row is narrower than the screen. A row
 * that fills the last column leaves the cursor there (autowrap is off while drawing), and an
 * erase then clears that very cell — tmux does — so a panel box lost its right edge.
 */
function eraseAfter(line: string, cols: number): string {
  return textWidth(stripAnsi(line)) < cols ? ERASE_LINE_RIGHT : '';
}
