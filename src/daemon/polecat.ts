import type { Change, Entity, StateView } from '../journal/types.js';

/** The journal kind of polecats (shared with src/agents' hook reports). */
export const POLECAT_KIND = 'polecats';

/** The witness's statuses, plus `starting` (spawn asked) and `lost` (its pty died with a daemon). */
export type PolecatStatus = 'starting' | 'working' | 'waiting' | 'idle' | 'stuck' | 'exited' | 'lost';

/** A polecat as the journal holds it (kind "polecats", id = its name). */
export interface Polecat extends Entity {
  readonly id: string;
  readonly name: string;
  /** The bead it holds, or null when it has none (after `done`, or released). */
  readonly bead: string | null;
  readonly worktree: string;
  readonly branch: string | null;
  /** The preset name, or "custom" for a command line given after `--`. */
  readonly agent: string;
  readonly argv: readonly string[];
  /** Text typed into the pty once the agent is ready (presets whose prompt is typed in). */
  readonly type_in?: string | null;
  readonly status: PolecatStatus | string;
  readonly pid: number | null;
  readonly exit_code?: number | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export function getPolecat(state: StateView, name: string): Polecat | undefined {
  return state.get(POLECAT_KIND, name) as Polecat | undefined;
}

export function allPolecats(state: StateView): Polecat[] {
  return [...state.all(POLECAT_KIND).values()] as Polecat[];
}

/** A change that writes `polecat` (only call it when something differs). */
export function putPolecat(polecat: Polecat, action: string, summary?: string): Change {
  return { kind: POLECAT_KIND, id: polecat.id, entity: polecat, action, ...(summary ? { summary } : {}) };
}
