import type { Screen } from './screen.js';

/** The most output parsed in one piece: ~0.5 ms of xterm's parser on these machines. */
export const FEED_CHUNK = 16_384;

/** Output this small, arriving at an idle screen, is parsed at once (a keystroke's echo). */
export const IMMEDIATE_LIMIT = 4096;

/**
 * How long the parsers of all panes together may hold the event loop in one turn. A flooding
 * pane then delays another pane's echo (or a client's input) by at most this, plus one piece.
 */
export const TURN_BUDGET_MS = 4;

const TRACE = process.env.CITADEL_DAEMON_TRACE === '1';

/** How long after a keystroke the pane typed into goes first in the parsing turns. */
export const PRIORITY_MS = 1000;

/**
 * Feeds a pane's output to its screen. Parsing is synchronous (xterm's own `write` hops through
 * a `setTimeout` per call, which cost more than the parsing itself: 50 MB in 8 KB writes took
 * ~18 s, nearly all of it waiting), and time-sliced across panes by one shared {@link ParseTurns}:
 * each event-loop turn parses pieces of every busy pane in turn until {@link TURN_BUDGET_MS} is
 * spent, then yields so sockets, timers and ptys run. A small write to an idle screen — an echo —
 * is parsed at once, without waiting for a turn.
 */
export class ScreenFeeder {
  private readonly queue: string[] = [];
  private queued = 0;
  private drained: Array<() => void> = [];
  private disposed = false;
  /** Another pane waits for an echo (input-first.ts): output is queued, not parsed. */
  private held = false;

  constructor(
    private readonly screen: Screen,
    private readonly parsed: (size: number) => void,
    private readonly turns: ParseTurns = sharedTurns,
  ) {}

  /** Characters waiting to be parsed. */
  get backlog(): number {
    return this.queued;
  }

  push(data: string): void {
    if (this.disposed || data.length === 0) return;
    if (this.queued === 0 && data.length <= IMMEDIATE_LIMIT && !this.held) {
      this.screen.write(data);
      this.parsed(data.length);
      return;
    }
    this.queue.push(data);
    this.queued += data.length;
    if (!this.held) this.turns.add(this);
  }

  /** Held: nothing is parsed until released (the queue keeps what arrives meanwhile). */
  setHeld(held: boolean): void {
    if (held === this.held || this.disposed) return;
    this.held = held;
    if (held) this.turns.remove(this);
    else if (this.queued > 0) this.turns.add(this);
  }

  /** A person typed into this pane: its backlog goes first in the parsing turns for a while. */
  prioritize(): void {
    this.turns.prioritize(this);
  }

  /** Runs `callback` once everything pushed so far is on the screen. */
  whenDrained(callback: () => void): void {
    if (this.queued === 0) callback();
    else this.drained.push(callback);
  }

  dispose(): void {
    this.disposed = true;
    this.queue.length = 0;
    this.queued = 0;
    this.drained = [];
    this.turns.remove(this);
  }

  /** Parses one piece; returns whether more is queued. Called by {@link ParseTurns}. */
  step(): boolean {
    if (this.disposed) return false;
    const head = this.queue[0];
    if (head === undefined) return false;
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
    this.queued -= piece.length;
    this.screen.write(piece);
    this.parsed(piece.length);
    if (this.queued > 0) return true;
    for (const callback of this.drained.splice(0)) callback();
    return this.queued > 0;
  }
}

/**
 * The parsing turns shared by every pane of a daemon: one `setImmediate` at a time, round-robin
 * over the feeders with a backlog, bounded by a time budget per turn.
 */
export class ParseTurns {
  private readonly busy = new Set<ScreenFeeder>();
  private scheduled: NodeJS.Immediate | undefined;
  private turnStart = 0;
  private lastTurnEnd = Infinity;
  /** The feeder typed into last, and until when it goes first in every round. */
  private first: ScreenFeeder | undefined;
  private firstUntil = -Infinity;

  constructor(
    private readonly budgetMs = TURN_BUDGET_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  add(feeder: ScreenFeeder): void {
    this.busy.add(feeder);
    this.scheduled ??= setImmediate(() => this.turn());
  }

  /** `feeder`'s pieces go first in each round for {@link PRIORITY_MS} (the pane just typed into). */
  prioritize(feeder: ScreenFeeder): void {
    this.first = feeder;
    this.firstUntil = this.now() + PRIORITY_MS;
  }

  remove(feeder: ScreenFeeder): void {
    if (this.first === feeder) this.first = undefined;
    this.busy.delete(feeder);
    if (this.busy.size === 0 && this.scheduled) {
      clearImmediate(this.scheduled);
      this.scheduled = undefined;
    }
  }

  private overBudget(): boolean {
    return this.now() - this.turnStart >= this.budgetMs;
  }

  private turn(): void {
    this.scheduled = undefined;
    this.turnStart = this.now();
    const gap = this.turnStart - this.lastTurnEnd;
    try {
      while (this.busy.size > 0) {
        const first = this.first !== undefined && this.busy.has(this.first) && this.now() < this.firstUntil ? this.first : undefined;
        if (first) {
          if (!first.step()) this.busy.delete(first);
          if (this.overBudget()) return;
        }
        for (const feeder of [...this.busy]) {
          if (feeder === first) continue;
          if (!feeder.step()) this.busy.delete(feeder);
          if (this.overBudget()) return;
        }
      }
    } finally {
      if (this.busy.size > 0) this.scheduled ??= setImmediate(() => this.turn());
      const end = this.now();
      // CITADEL_DAEMON_TRACE: a turn over twice its budget, or a backlog waiting long for its turn.
      if (TRACE && (end - this.turnStart > 2 * this.budgetMs || gap > 20)) {
        process.stderr.write(`parse-turn at ${this.turnStart.toFixed(2)} took ${(end - this.turnStart).toFixed(2)} ms, ${gap.toFixed(2)} ms after the last\n`);
      }
      this.lastTurnEnd = this.busy.size > 0 ? end : Infinity;
    }
  }
}

const sharedTurns = new ParseTurns();
