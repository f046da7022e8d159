import type { Cursor, RowFrame } from '../../daemon/protocol.js';

/**
 * The client's copy of one pane's screen, built from the daemon's row frames: its styled rows,
 * cursor and modes, plus which rows changed since the compositor last drew them.
 */
export class PaneScreen {
  cols = 0;
  rows = 0;
  lines: string[] = [];
  cursor: Cursor = { x: 0, y: 0, visible: true };
  altScreen = false;
  title: string | undefined;
  /** Rows changed since the last draw; `all` when the whole pane must be redrawn. */
  readonly dirty = new Set<number>();
  all = true;

  constructor(readonly id: string) {}

  /** Applies a frame: a full one replaces the screen, others the rows they carry. */
  apply(frame: RowFrame): void {
    if (frame.full || frame.cols !== this.cols || frame.rows !== this.rows) {
      if (frame.cols !== this.cols || frame.rows !== this.rows || frame.full) this.all = true;
      this.cols = frame.cols;
      this.rows = frame.rows;
      if (this.lines.length !== frame.rows) this.lines = Array.from({ length: frame.rows }, (_, i) => this.lines[i] ?? ' '.repeat(frame.cols));
    }
    for (const [row, text] of frame.lines) {
      if (row < 0 || row >= this.rows) continue;
      if (this.lines[row] !== text) {
        this.lines[row] = text;
        this.dirty.add(row);
      }
    }
    const c = frame.cursor;
    if (c.x !== this.cursor.x || c.y !== this.cursor.y || c.visible !== this.cursor.visible) this.cursor = { ...c };
    this.altScreen = frame.altScreen;
    if (frame.title !== undefined) this.title = frame.title;
  }

  /** Marks everything drawn. */
  clean(): void {
    this.dirty.clear();
    this.all = false;
  }
}
