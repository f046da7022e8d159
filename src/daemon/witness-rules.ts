/** What the witness looks at for one polecat, at one moment. */
export interface WitnessInput {
  /** The program's exit, once it has exited. */
  exited: boolean;
  /** ms since the screen last changed for real (not an animation: src/agent-cli/screen-activity.ts). */
  quietMs: number;
  /** The visible screen, plain text, trailing blank lines dropped. */
  lines: readonly string[];
  /** The preset's dialog patterns, looked for anywhere on the screen. */
  waiting: readonly RegExp[];
  /** Questions looked for on the bottom {@link askLines} non-blank lines only. */
  asks: readonly RegExp[];
  /** Patterns of the agent's empty input box: idle once the screen settles. */
  idle?: readonly RegExp[] | undefined;
  /** Patterns shown only while the agent works ("esc to interrupt"). */
  busy?: readonly RegExp[] | undefined;
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

/** How many bottom non-blank lines the generic questions are looked for on. */
export const askLines = 3;

/** The timings a town's config asks for (`idleSeconds`, `stuckMinutes`; docs/daemon.md). */
export function timingsFrom(config: { idleSeconds: number; stuckMinutes: number }): WitnessTimings {
  return { settleMs: defaultTimings.settleMs, idleMs: config.idleSeconds * 1000, stuckMs: config.stuckMinutes * 60_000 };
}

const anyMatch = (lines: readonly string[], patterns: readonly RegExp[] | undefined): boolean =>
  patterns !== undefined && patterns.length > 0 && lines.some((line) => patterns.some((pattern) => pattern.test(line)));

/**
 * The witness's verdict from the screen alone (pure), in this order:
 * - exited;
 * - waiting: one of the agent's dialogs anywhere on the screen (a permission, trust, login or
 *   setup prompt), or a question on its bottom lines, once the screen settles;
 * - working: the agent's own "busy" line is showing (however still the rest of the screen);
 * - idle: its empty input box, once the screen settles;
 * - working: the screen changed recently; stuck: holding a bead, quiet for long; else idle.
 */
export function classify(input: WitnessInput, timings: WitnessTimings = defaultTimings): 'exited' | 'waiting' | 'working' | 'stuck' | 'idle' {
  if (input.exited) return 'exited';
  const settled = input.quietMs >= timings.settleMs;
  const bottom = input.lines.filter((line) => line.trim() !== '').slice(-askLines);
  if (settled && (anyMatch(input.lines, input.waiting) || anyMatch(bottom, input.asks))) return 'waiting';
  if (anyMatch(input.lines, input.busy)) return 'working';
  if (settled && anyMatch(input.lines, input.idle)) return 'idle';
  if (input.quietMs < timings.idleMs) return 'working';
  if (input.hasBead && input.quietMs >= timings.stuckMs) return 'stuck';
  return 'idle';
}
