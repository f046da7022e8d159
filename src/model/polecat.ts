import type { Change, Entity, StateView } from '../journal/types.js';
import { queriesOf } from '../journal/query-index.js';

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
  const entity = state.get(POLECAT_KIND, name);
  return entity ? readPolecat(entity) : undefined;
}

export function allPolecats(state: StateView): Polecat[] {
  const all = state.all(POLECAT_KIND);
  // Through the query index, one query: walking the map would load the whole town into memory (issue 18).
  const queries = queriesOf(all);
  return (queries ? queries.find({}) : [...all.values()]).map(readPolecat);
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const textOrNull = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const numberOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/**
 * A polecat entity as every reader may rely on it: a record written by an older citadel, or by
 * hand, may lack fields or hold the wrong types, and must never crash a list or the daemon.
 * Missing text becomes `?`/null, a missing argv an empty one; what is there is kept as it is.
 */
export function readPolecat(entity: Entity): Polecat {
  const raw = entity as Entity & Record<string, unknown>;
  const id = text(raw.id) ?? text(raw.name) ?? '?';
  return {
    ...raw,
    id,
    name: text(raw.name) || id,
    bead: textOrNull(raw.bead),
    worktree: text(raw.worktree) ?? '',
    branch: textOrNull(raw.branch),
    agent: text(raw.agent) || '?',
    argv: Array.isArray(raw.argv) ? raw.argv.filter((arg): arg is string => typeof arg === 'string') : [],
    type_in: textOrNull(raw.type_in),
    status: text(raw.status) || 'unknown',
    pid: numberOrNull(raw.pid),
    exit_code: numberOrNull(raw.exit_code),
    created_at: text(raw.created_at) ?? '',
    updated_at: text(raw.updated_at) ?? '',
  };
}

/** A change that writes `polecat` (only call it when something differs). */
export function putPolecat(polecat: Polecat, action: string, summary?: string): Change {
  return { kind: POLECAT_KIND, id: polecat.id, entity: polecat, action, ...(summary ? { summary } : {}) };
}
