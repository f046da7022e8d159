import { preferReported, type ReportedFields } from '../agents/reported-status.js';
import type { Town } from '../town/town.js';
import type { PaneRegistry } from './pane-registry.js';
import { getPolecat } from './polecat.js';
import type { PolecatRunner } from './polecat-runner.js';
import { customPreset } from './presets.js';
import { classify, defaultTimings, type WitnessTimings } from './witness-rules.js';

/**
 * The witness: every second, reads each pane's screen and quiet time, decides its status
 * (witness-rules.ts, with an agent's own hook reports preferred while fresh), and records a
 * change — only a change — as an event on the polecat entity.
 */
export class Witness {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  /** Each pane's bottom lines, read again only after new output (idle panes cost nothing). */
  private readonly seen = new Map<string, { at: number; lines: string[] }>();

  constructor(
    private readonly town: Town,
    private readonly panes: PaneRegistry,
    private readonly runner: PolecatRunner,
    private readonly timings: WitnessTimings = defaultTimings,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  start(intervalMs = 1000): void {
    this.timer = setInterval(() => void this.tick(), intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private bottomLines(id: string, outputAt: number, read: () => string[]): string[] {
    const cached = this.seen.get(id);
    if (cached && cached.at === outputAt) return cached.lines;
    const lines = read();
    this.seen.set(id, { at: outputAt, lines });
    return lines;
  }

  /** One look at every pane. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const state = this.town.journal.read();
      const now = Date.now();
      for (const id of this.panes.ids()) {
        const pane = this.panes.get(id);
        if (!pane.running) continue;
        const polecat = getPolecat(state, id);
        const preset = polecat ? this.runner.preset(polecat) : customPreset(pane.argv);
        const seen = classify(
          {
            exited: false,
            quietMs: now - pane.lastOutputAt,
            bottomLines: this.bottomLines(id, pane.lastOutputAt, () => pane.screen.bottomLines(3)),
            waiting: preset.waiting,
            hasBead: Boolean(polecat?.bead),
          },
          this.timings,
        );
        const status = polecat ? preferReported(seen, polecat as ReportedFields, pane.lastOutputAt) : seen;
        this.panes.setStatus(id, status);
        if (polecat && polecat.status !== status && polecat.pid === pane.pid) {
          const pid = pane.pid;
          // Decided outside the lock: an exit recorded meanwhile must not be overwritten.
          await this.runner.update(
            id,
            (current) => (current.pid === pid && current.status !== 'exited' && current.status !== 'lost' ? { ...current, status } : current),
            'status',
            `${id} is ${status}`,
          );
        }
      }
    } catch (error) {
      this.log(`witness: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
