/**
 * Flow control between a pty and the screen that parses its output (the watermarks of VS
 * Code's terminal): a program writing faster than the daemon can parse is paused — the kernel
 * then blocks its writes — instead of piling its output up in the daemon's memory.
 */
export interface Pausable {
  pause(): void;
  resume(): void;
}

export const HIGH_WATERMARK = 256_000;
export const LOW_WATERMARK = 32_000;

export class FlowControl {
  private pending = 0;
  private paused = false;
  private finished = false;

  constructor(
    private readonly target: Pausable,
    private readonly high = HIGH_WATERMARK,
    private readonly low = LOW_WATERMARK,
  ) {}

  /** Characters handed to the parser and not parsed yet. */
  get unparsed(): number {
    return this.pending;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** `size` characters arrived from the program and were queued for parsing. */
  received(size: number): void {
    this.pending += size;
    if (!this.paused && !this.finished && this.pending > this.high) {
      this.paused = true;
      this.target.pause();
    }
  }

  /** `size` characters were parsed. */
  parsed(size: number): void {
    this.pending = Math.max(0, this.pending - size);
    if (this.paused && this.pending <= this.low) this.release();
  }

  /**
   * The program is gone (or going): resume and never pause again, so the tail of its output is
   * read — node-pty drops whatever is still unread 200 ms after the exit.
   */
  finish(): void {
    this.finished = true;
    this.release();
  }

  /** Resumes now (the next burst may pause again). */
  release(): void {
    if (!this.paused) return;
    this.paused = false;
    this.target.resume();
  }
}
