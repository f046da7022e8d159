/**
 * Coalesces screen updates into frames at a bounded rate, but sends at once when the pane was
 * idle: a keystroke's echo is never held for a tick, and a program flooding its pane costs at
 * most one frame per slot (16 ms, 32 ms while it keeps streaming).
 *
 * "Idle" means no change for `idleGapMs` before this one — not "no frame for a slot": an echo
 * typed 4 ms after the previous line's output must not wait 12 ms for the slot to end.
 */
export class FrameScheduler {
  private timer: NodeJS.Timeout | undefined;
  private lastFlush = -Infinity;
  private lastRequest = -Infinity;
  /** Whether the last frame had to wait: the pane is streaming, and gets the slower rate. */
  private streaming = false;

  constructor(
    private readonly flush: () => void,
    private readonly intervalMs = 16,
    private readonly now: () => number = () => performance.now(),
    /** The slot of a pane that keeps changing (a flood needs no more than ~30 frames a second). */
    private readonly busyIntervalMs = intervalMs * 2,
    /** A change after this long without one is sent at once (bounds the rate at 1000/idleGapMs). */
    private readonly idleGapMs = 8,
  ) {}

  /** Something changed: flush now if the pane was idle or the slot is over, else at the slot's end. */
  request(): void {
    const now = this.now();
    const quiet = now - this.lastRequest;
    this.lastRequest = now;
    if (this.timer) return;
    const slot = this.streaming ? this.busyIntervalMs : this.intervalMs;
    const wait = this.lastFlush + slot - now;
    if (wait <= 0 || quiet >= this.idleGapMs) {
      this.streaming = false;
      this.run();
      return;
    }
    this.streaming = true;
    this.timer = setTimeout(() => this.run(), wait);
  }

  /** Flush whatever is pending now (before a subscriber gets its full frame). */
  flushNow(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.run();
  }

  /**
   * Something changed that a person is waiting for (the first output after a keystroke into the
   * pane): flush now, in this tick, whatever the slot — even a pane that streams.
   */
  urgent(): void {
    this.lastRequest = this.now();
    if (this.timer) clearTimeout(this.timer);
    this.streaming = false;
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
