import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';

/**
 * The stdout Ink renders into: never the terminal. Ink runs in debug mode against it, so each
 * render hands over one whole frame (no cursor movement, no clearing — Ink's full-height repaint
 * trap cannot happen), which goes to `onFrame` (the compositor). It reports the size Ink must
 * lay out for, and emits `resize` when that changes.
 */
export class VirtualStdout extends EventEmitter {
  readonly isTTY = false;
  writable = true;
  constructor(
    public columns: number,
    public rows: number,
    private readonly onFrame: (frame: string) => void,
  ) {
    super();
  }

  write(data: string | Uint8Array, encoding?: unknown, callback?: () => void): boolean {
    const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
    if (text.length > 0) this.onFrame(text);
    const cb = typeof encoding === 'function' ? (encoding as () => void) : callback;
    cb?.();
    return true;
  }

  resize(columns: number, rows: number): void {
    if (columns === this.columns && rows === this.rows) return;
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }

  end(): void {}
}

/**
 * The stdin Ink is given: it never carries a byte. Keys are parsed once by the shell and handed
 * to the panels already parsed (shell/panel-channel.ts); Ink only needs a stream that claims to
 * be a TTY. The real terminal's modes are the shell's business.
 */
export class SilentStdin extends PassThrough {
  readonly isTTY = true;
  isRaw = false;
  setRawMode(mode: boolean): this {
    this.isRaw = mode;
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}
