/**
 * What the scripted agent is asked to do besides its normal work, from its command-line flags
 * and from its bead's labels (`scripted:ask`, `scripted:fail`, `scripted:conflict`,
 * `scripted:flood`, `scripted:flood=20000`), so a demo can script each bead differently.
 */
export interface ScriptSwitches {
  /** Ask a question and wait for a line on stdin before working. */
  readonly ask: boolean;
  /** Exit non-zero without committing (a crashed or failed agent). */
  readonly fail: boolean;
  /** Also edit the first line of the shared file SHARED.md, which other conflict beads edit too. */
  readonly conflict: boolean;
  /** Lines of output to stream while "thinking" (0: none). */
  readonly flood: number;
  /** Milliseconds each step takes (the spinner's time on screen). */
  readonly delayMs: number;
  /** First attempt commits without running the gates (label scripted:untested; a rework always runs them). */
  readonly untested?: boolean;
  /** Call `citadel done` at the end (default true). */
  readonly done: boolean;
}

export const defaultFloodLines = 5000;

export function switchesFrom(flags: Partial<ScriptSwitches>, labels: readonly string[]): ScriptSwitches {
  const has = (name: string): boolean => labels.includes(`scripted:${name}`);
  const floodLabel = labels.find((label) => label.startsWith('scripted:flood'));
  const floodFromLabel = floodLabel ? Number(floodLabel.split('=')[1] ?? defaultFloodLines) || defaultFloodLines : 0;
  return {
    ask: flags.ask === true || has('ask'),
    fail: flags.fail === true || has('fail'),
    conflict: flags.conflict === true || has('conflict'),
    untested: flags.untested === true || has('untested'),
    flood: flags.flood ?? floodFromLabel,
    delayMs: flags.delayMs ?? 300,
    done: flags.done ?? true,
  };
}
