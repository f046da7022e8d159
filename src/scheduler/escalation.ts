import type { EscalationConfig, EscalationStep } from './config.js';

/**
 * The witness's escalation ladder, pure (docs/scheduler.md): a polecat holding unfinished work
 * that is idle or stuck goes through the configured steps in order — by default nudge it (what
 * `citadel prime` says about its bead), restart it, mail the overseer — one step per
 * `stepSeconds` while it stays so. Working again for `stepSeconds` after a step ends the
 * episode; a new bead starts a new one.
 */
export interface Track {
  /** The bead the episode is about. */
  readonly bead: string;
  /** Steps taken so far (an index into the ladder). */
  readonly taken: number;
  /** Epoch ms: when the trouble was first seen, and when the last step was taken. */
  readonly since: number;
  readonly lastAt: number | null;
}

export interface Observation {
  readonly status: string;
  readonly bead: string | null;
  /** The polecat has a live program. */
  readonly running: boolean;
  /** Its bead is claimed by it, open, not submitted. */
  readonly unfinished: boolean;
}

export type Verdict = { readonly step: EscalationStep; readonly track: Track; readonly quietSeconds: number } | { readonly step: null; readonly track: Track | undefined };

/** Whether the polecat is in trouble: alive, holding unfinished work, and idle or stuck. */
export const troubled = (o: Observation): boolean => o.running && o.bead !== null && o.unfinished && (o.status === 'idle' || o.status === 'stuck');

/** The next step to take now, if any, and the episode's new state. */
export function nextStep(observation: Observation, track: Track | undefined, now: number, config: EscalationConfig): Verdict {
  if (observation.bead === null || (track && track.bead !== observation.bead)) track = undefined;
  if (!troubled(observation)) {
    // Recovered: the episode ends once it has worked for a while since the last step.
    if (track && now - (track.lastAt ?? track.since) >= config.stepSeconds * 1000) return { step: null, track: undefined };
    return { step: null, track };
  }
  const current: Track = track ?? { bead: observation.bead!, taken: 0, since: now, lastAt: null };
  if (current.taken >= config.ladder.length) return { step: null, track: current };
  const due = current.lastAt === null ? current.since + config.idleSeconds * 1000 : current.lastAt + config.stepSeconds * 1000;
  if (now < due) return { step: null, track: current };
  const step = config.ladder[current.taken]!;
  return { step, track: { ...current, taken: current.taken + 1, lastAt: now }, quietSeconds: Math.round((now - current.since) / 1000) };
}
