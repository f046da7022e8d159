import { preferReported, type ReportedFields } from '../agent-cli/reported-status.js';
import type { Town } from '../town/town.js';
import type { Pane } from './pane.js';
import type { PaneRegistry } from './pane-registry.js';
import { getPolecat } from '../model/polecat.js';
import type { PolecatRunner } from './polecat-runner.js';
import { customPreset, questions } from '../agent-cli/presets.js';
import { ScreenActivity } from '../agent-cli/screen-activity.js';
import { classify, defaultTimings, type WitnessTimings } from './witness-rules.js';
import { quietLog } from '../common/quiet-log.js';

/**
 * The witness: every second, reads each pane's screen and quiet time, decides its status
 * (witness-rules.ts, with an agent's own hook reports preferred while fresh), and records a
 * change — only a change — as an event on the polecat entity.
 */
export class Witness {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** A look asked for while one was running: take it as soon as that one ends. */
  private again = false;
  private soon: NodeJS.Timeout | undefined;
  /** A look asked for later (a screen about to settle), the earliest one only. */
  private later: { timer: NodeJS.Timeout; at: number } | undefined;
  /**
   * Each pane's screen, read again only after new output (idle panes cost nothing), with when
   * it last changed for real — not a spinner, a timer or a logo's animation (screen-activity.ts).
   */
  private readonly seen = new Map<string, { at: number; lines: string[]; changedAt: number; activity: ScreenActivity; pid: number | undefined }>();

  constructor(
    private readonly town: Town,
    private readonly panes: PaneRegistry,
    private readonly runner: PolecatRunner,
    private readonly timings: WitnessTimings = defaultTimings,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  /** The same error on every tick (a damaged journal) is logged once, then counted. */
  private readonly trouble = quietLog((line) => this.log(line));

  start(intervalMs = 1000): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.soon);
    clearTimeout(this.later?.timer);
  }

  /**
   * Looks again in `ms`: a screen showing a dialog (or an input box at rest) is not "waiting"
   * (idle) until it has been still `settleMs`, and the next tick may be up to a second after
   * that — a permission prompt read waiting 1.0–1.4 s after it appeared. Only the earliest
   * asked-for look is kept.
   */
  private lookIn(ms: number): void {
    const at = Date.now() + ms;
    if (this.later && this.later.at <= at) return;
    clearTimeout(this.later?.timer);
    this.later = {
      at,
      timer: setTimeout(() => {
        this.later = undefined;
        void this.tick();
      }, ms),
    };
  }

  /**
   * Looks again now rather than at the next second: the journal moved, and it may be an agent's
   * own report (a hook saying "waiting" as its permission prompt opens). Without it a report
   * reached `list` and the board up to a whole tick late (measured 1.0–1.3 s at a prompt).
   * Coalesced: many changes at once cost one look.
   */
  lookSoon(): void {
    this.soon ??= setTimeout(() => {
      this.soon = undefined;
      void this.tick();
    }, 0);
  }

  private screenOf(id: string, pane: Pane): { lines: string[]; changedAt: number } {
    let seen = this.seen.get(id);
    if (!seen || seen.pid !== pane.pid) {
      // A new program (or a restart): its first screen is news.
      seen = { at: Number.NaN, lines: [], changedAt: pane.lastOutputAt, activity: new ScreenActivity(), pid: pane.pid };
      this.seen.set(id, seen);
    }
    if (seen.at === pane.lastOutputAt) return seen;
    seen.at = pane.lastOutputAt;
    const rows = pane.screen.lines(pane.screen.baseY, pane.screen.rows, true).map(([, text]) => text);
    if (seen.activity.observe(rows)) seen.changedAt = pane.lastOutputAt;
    while (rows.length > 0 && rows[rows.length - 1]!.trim() === '') rows.pop();
    seen.lines = rows;
    return seen;
  }

  /** One look at every pane. */
  async tick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.again = false;
    try {
      const now = Date.now();
      for (const id of this.panes.ids()) {
        // Read per pane: a hook may have reported while an earlier pane's change was written.
        const state = this.town.journal.read();
        const pane = this.panes.get(id);
        if (!pane.running) continue;
        const polecat = getPolecat(state, id);
        const preset = polecat ? this.runner.preset(polecat) : customPreset(pane.argv);
        const screen = this.screenOf(id, pane);
        const input = {
          exited: false,
          quietMs: now - screen.changedAt,
          lines: screen.lines,
          waiting: preset.waiting,
          asks: preset.asks ?? questions,
          idle: preset.idle,
          busy: preset.busy,
          hasBead: Boolean(polecat?.bead),
        };
        const seen = classify(input, this.timings);
        // About to read differently once still long enough (a prompt just drawn): look again
        // right then, not at the next tick.
        const settleIn = this.timings.settleMs - input.quietMs;
        if (settleIn > 0 && classify({ ...input, quietMs: this.timings.settleMs }, this.timings) !== seen) this.lookIn(settleIn + 20);
        // An agent's own report holds until the screen changes for real after it.
        const reported = polecat as (ReportedFields & { reported_at?: string }) | undefined;
        const status = reported ? preferReported(seen, reported, screen.changedAt) : seen;
        this.panes.setStatus(id, status);
        if (polecat && polecat.status !== status && polecat.pid === pane.pid) {
          const pid = pane.pid;
          const basis = reported?.reported_at;
          // Decided outside the lock: an exit recorded meanwhile must not be overwritten, nor a
          // report an agent made meanwhile (a Stop just in must not turn back into "working").
          await this.runner.update(
            id,
            (current) =>
              current.pid === pid && current.status !== 'exited' && current.status !== 'lost' && (current as ReportedFields).reported_at === basis ? { ...current, status } : current,
            'status',
            `${id} is ${status}`,
          );
        }
      }
      for (const id of this.seen.keys()) if (!this.panes.has(id)) this.seen.delete(id);
      this.trouble.ok();
    } catch (error) {
      this.trouble.error(`witness: ${(error as Error).message}`);
    } finally {
      this.running = false;
      if (this.again) this.lookSoon();
    }
  }
}
