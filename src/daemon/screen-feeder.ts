import type { Screen } from './screen.js';

/** The most output parsed in one go: ~1 ms of xterm's parser on these machines. */
export const FEED_CHUNK = 8192;

/**
 * Feeds a pane's output to its screen in small pieces, one per event-loop turn. xterm parses
 * a write in one go (a 64 KB chunk of `yes` blocks the loop ~90 ms) and runs queued writes back
 * to back for up to 12 ms; fed this way, a flooding pane never holds the loop for more than a
 * piece, so another pane's echo is parsed and sent within a millisecond or two.
 */
export class ScreenFeeder {
  private readonly queue: string[] = [];
  private busy = false;
  private drained: Array<() => void> = [];
  private disposed = false;
  private immediate: NodeJS.Immediate | undefined;

  constructor(
    private readonly screen: Screen,
    private readonly parsed: (size: number) => void,
  ) {}

  push(data: string): void {
    if (this.disposed) return;
    this.queue.push(data);
    if (!this.busy) this.next();
  }

  /** Runs `callback` once everything pushed so far is on the screen. */
  whenDrained(callback: () => void): void {
    if (!this.busy && this.queue.length === 0) callback();
    else this.drained.push(callback);
  }

  dispose(): void {
    this.disposed = true;
    this.queue.length = 0;
    if (this.immediate) clearImmediate(this.immediate);
  }

  private next(): void {
    if (this.disposed) return;
    const head = this.queue[0];
    if (head === undefined) {
      this.busy = false;
      for (const callback of this.drained.splice(0)) callback();
      return;
    }
    this.busy = true;
    let piece = head;
    if (head.length > FEED_CHUNK) {
      // Never split a UTF-16 surrogate pair across two writes.
      let cut = FEED_CHUNK;
      const code = head.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut--;
      piece = head.slice(0, cut);
      this.queue[0] = head.slice(cut);
    } else {
      this.queue.shift();
    }
    this.screen.write(piece, () => {
      this.parsed(piece.length);
      // The next piece in a later turn: timers, sockets and other panes run in between.
      this.immediate = setImmediate(() => this.next());
    });
  }
}
