import type { Change, Entity, Mutator, StateView } from '../journal/types.js';

/**
 * The scheduler's switch and settings, as the journal holds them (kind `scheduler`, id
 * `town`): whether it runs, its `--max` and `--agent`, and the last decision it made. In the
 * journal (not a runtime file) so that a restarted daemon resumes as it was, and every start,
 * pause and decision is history with its actor.
 */
export const SCHEDULER_KIND = 'scheduler';
export const SCHEDULER_ID = 'town';

export type SchedulerRunState = 'running' | 'paused';

export interface SchedulerEntity extends Entity {
  readonly id: string;
  readonly state: SchedulerRunState;
  /** `town start --max N` (null: config `scheduler.max`). */
  readonly max: number | null;
  /** `town start --agent A` (null: config `scheduler.agents`, else the town's default agent). */
  readonly agent: string | null;
  /** Who started or paused it last. */
  readonly changed_by: string;
  readonly updated_at: string;
  /** The last decision, with the reason in words. */
  readonly last?: { readonly at: string; readonly kind: string; readonly bead: string; readonly polecat: string; readonly agent: string; readonly match?: string; readonly reason: string } | null;
  /** Starts that failed in a row (resets on a success), for the status line. */
  readonly failures?: number;
}

export function readScheduler(state: StateView): SchedulerEntity | undefined {
  const entity = state.get(SCHEDULER_KIND, SCHEDULER_ID) as (Entity & Partial<SchedulerEntity>) | undefined;
  if (!entity) return undefined;
  return {
    ...entity,
    id: SCHEDULER_ID,
    state: entity.state === 'running' ? 'running' : 'paused',
    max: Number.isInteger(entity.max) && (entity.max as number) > 0 ? (entity.max as number) : null,
    agent: typeof entity.agent === 'string' && entity.agent !== '' ? entity.agent : null,
    changed_by: typeof entity.changed_by === 'string' ? entity.changed_by : '?',
    updated_at: typeof entity.updated_at === 'string' ? entity.updated_at : '',
  };
}

export function putScheduler(entity: SchedulerEntity, action: string, summary: string): Change {
  return { kind: SCHEDULER_KIND, id: SCHEDULER_ID, entity, action, summary };
}

/** `town start` / `town pause`: one mutation; `max`/`agent` undefined keep what was set. */
export function setScheduler(actor: string, now: string, change: { state: SchedulerRunState; max?: number | null | undefined; agent?: string | null | undefined }): Mutator<SchedulerEntity> {
  return (state) => {
    const current = readScheduler(state);
    const next: SchedulerEntity = {
      ...(current ?? { id: SCHEDULER_ID, max: null, agent: null, last: null }),
      id: SCHEDULER_ID,
      state: change.state,
      max: change.max !== undefined ? change.max : (current?.max ?? null),
      agent: change.agent !== undefined ? change.agent : (current?.agent ?? null),
      changed_by: actor,
      updated_at: now,
    };
    const same = current && current.state === next.state && current.max === next.max && current.agent === next.agent;
    if (same) return { changes: [], value: current };
    const what = change.state === 'running' ? `started the scheduler${next.max ? ` (max ${next.max})` : ''}${next.agent ? ` with ${next.agent}` : ''}` : 'paused the scheduler (running polecats finish)';
    return { changes: [putScheduler(next, change.state === 'running' ? 'town-start' : 'town-pause', `${actor} ${what}`)], value: next };
  };
}
