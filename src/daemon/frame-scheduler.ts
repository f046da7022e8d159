/**
 * Coalesces screen updates into frames at a bounded rate, but sends at once when the pane has
 * been quiet for a frame interval: a keystroke's echo is never held for a tick, and a program
 * flooding its pane costs at most one frame per interval.
 */
export class FrameScheduler {
  private timer: NodeJS.Timeout | undefined;
  private lastFlush = -Infinity;

  constructor(
    private readonly flush: () => void,
    private readonly intervalMs = 16,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Something changed: flush now if the last frame is old enough, else at the next slot. */
  request(): void {
    if (this.timer) return;
    const wait = this.lastFlush + this.intervalMs - this.now();
    if (wait <= 0) {
      this.run();
      return;
    }
    this.timer = setTimeout(() => this.run(), wait);
  }

  /** Flush whatever is pending now (before a subscriber gets its full frame). */
  flushNow(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.run();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    this.timer = undefined;
    this.lastFlush = this.now();
    this.flush();
  }
}
