/**
 * Input first: while a key typed into one pane waits for its echo, the other panes' output is
 * neither read nor parsed (their ptys paused, their backlogs left in their queues), for at most
 * {@link HOLD_MS}. A flood is CPU-bound work; a daemon that parses floods without a pause is, to
 * the kernel's scheduler, a CPU hog, and on a loaded machine it then waits 30–80 ms for a core
 * each time it blocks — with the keystroke's echo in its socket (docs/daemon.md, "Tracing an
 * echo"). Held, it sleeps until the echo arrives, and wakes as an interactive task does. The
 * floods lose the echo's round trip per key (a few ms), nothing else: their output is only
 * delayed, and flow control is untouched.
 */
export const HOLD_MS = 20;

/** What the coordinator pauses: a pane (its pty reads and its parsing). */
export interface Holdable {
  setHeld(held: boolean): void;
}

export class InputFirst {
  private readonly members = new Set<Holdable>();
  /** Panes waiting for an echo, and until when. */
  private readonly waiting = new Map<Holdable, number>();
  /**
   * Panes whose last hold ran out without an answer (a program that does not echo: a password
   * prompt, `cat >/dev/null`): their keys hold nothing until they answer again, so typing into
   * them never starves the others.
   */
  private readonly mute = new Set<Holdable>();
  private held = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly holdMs = HOLD_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  add(member: Holdable): void {
    this.members.add(member);
    if (this.held && !this.waiting.has(member)) member.setHeld(true);
  }

  remove(member: Holdable): void {
    this.members.delete(member);
    this.mute.delete(member);
    if (this.waiting.delete(member)) this.update();
  }

  /** A key went to `member`: the others are held until its echo (or {@link HOLD_MS}). */
  typed(member: Holdable): void {
    // A hold in force is not extended by more keys: at most one limit per echo.
    if (!this.members.has(member) || this.mute.has(member) || this.waiting.has(member)) return;
    this.waiting.set(member, this.now() + this.holdMs);
    this.update();
  }

  /** `member`'s echo arrived (or it will not wait for one). */
  answered(member: Holdable): void {
    this.mute.delete(member);
    if (this.waiting.delete(member)) this.update();
  }

  /** Whether any pane is waiting for its echo (for tests). */
  get holding(): boolean {
    return this.held;
  }

  private update(): void {
    const now = this.now();
    for (const [member, until] of this.waiting) {
      if (until > now) continue;
      this.waiting.delete(member);
      this.mute.add(member);
    }
    const hold = this.waiting.size > 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (hold) {
      const next = Math.min(...this.waiting.values());
      this.timer = setTimeout(() => this.update(), Math.max(1, next - now));
    }
    if (!hold && !this.held) return;
    this.held = hold;
    for (const member of this.members) member.setHeld(hold && !this.waiting.has(member));
  }
}

/** The daemon's one coordinator (every pane of the process shares it). */
export const sharedInputFirst = new InputFirst();
