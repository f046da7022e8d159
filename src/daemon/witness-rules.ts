/** What the witness looks at for one polecat, at one moment. */
export interface WitnessInput {
  /** The program's exit, once it has exited. */
  exited: boolean;
  /** ms since the program last wrote anything. */
  quietMs: number;
  /** The bottom non-blank lines of its screen, plain text. */
  bottomLines: readonly string[];
  /** The preset's "waiting for input" patterns. */
  waiting: readonly RegExp[];
  /** Whether it holds a bead (only a polecat with work can be stuck). */
  hasBead: boolean;
}

export interface WitnessTimings {
  /** Quiet this long after a prompt pattern appears before it counts as waiting (prompts redraw). */
  settleMs: number;
  /** Quiet this long → idle. */
  idleMs: number;
  /** Quiet this long while holding a bead → stuck. */
  stuckMs: number;
}

export const defaultTimings: WitnessTimings = { settleMs: 400, idleMs: 15_000, stuckMs: 10 * 60_000 };

/** The timings a town's config asks for (`idleSeconds`, `stuckMinutes`; docs/daemon.md). */
export function timingsFrom(config: { idleSeconds: number; stuckMinutes: number }): WitnessTimings {
  return { settleMs: defaultTimings.settleMs, idleMs: config.idleSeconds * 1000, stuckMs: config.stuckMinutes * 60_000 };
}

/**
 * The witness's verdict from the screen alone (pure): exited, waiting (a prompt pattern on
 * the bottom lines, once the screen settles), working (recent output), stuck (holding a bead,
 * quiet for long), or idle.
 */
export function classify(input: WitnessInput, timings: WitnessTimings = defaultTimings): 'exited' | 'waiting' | 'working' | 'stuck' | 'idle' {
  if (input.exited) return 'exited';
  if (input.quietMs >= timings.settleMs && input.bottomLines.some((line) => input.waiting.some((pattern) => pattern.test(line)))) {
    return 'waiting';
  }
  if (input.quietMs < timings.idleMs) return 'working';
  if (input.hasBead && input.quietMs >= timings.stuckMs) return 'stuck';
  return 'idle';
}
