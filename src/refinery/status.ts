import type { StateView } from '../journal/types.js';
import { byPriorityThenAge, isActive, mainHealth, mergeRequests, type MainHealth, type MergeRequest } from './queue.js';

/** One request as the lane shows it. */
export interface LaneItem {
  readonly id: string;
  readonly bead: string | null;
  readonly title: string;
  readonly polecat: string | null;
  readonly branch: string | null;
  readonly priority: number;
  readonly state: string;
  readonly stage: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  /** Why it waits (held) or why it was rejected. */
  readonly reason: string | null;
  readonly conflicts: readonly string[];
  readonly log: string | null;
  readonly merged_sha: string | null;
  readonly attempts: number;
}

/** What `citadel refinery status --json` prints and the workstation's lane draws. */
export interface RefineryStatus {
  /** Waiting requests, in the order they will be taken. */
  readonly queue: readonly LaneItem[];
  /** The request being worked on, with its stage; null when idle. */
  readonly current: LaneItem | null;
  /** Finished requests (merged or rejected), newest first. */
  readonly recent: readonly LaneItem[];
  /** Set when a gate failed on main itself: the lane waits for main to be fixed. */
  readonly main_broken: MainHealth['broken'];
  readonly counts: { readonly queued: number; readonly merged: number; readonly rejected: number };
}

/** The refinery's state, derived from the journal alone (pure: the TUI lane calls it on every refresh). */
export function refineryStatus(state: StateView, options: { recent?: number } = {}): RefineryStatus {
  const all = mergeRequests(state);
  const queued = all.filter((mr) => mr.state === 'queued').sort(byPriorityThenAge);
  const active = all.filter(isActive).sort((a, b) => b.updated_at.localeCompare(a.updated_at));
  const finished = all.filter((mr) => mr.state === 'merged' || mr.state === 'rejected').sort((a, b) => b.updated_at.localeCompare(a.updated_at) || b.id.localeCompare(a.id));
  return {
    queue: queued.map(laneItem),
    current: active[0] ? laneItem(active[0]) : null,
    recent: finished.slice(0, options.recent ?? 10).map(laneItem),
    main_broken: mainHealth(state),
    counts: {
      queued: queued.length,
      merged: finished.filter((mr) => mr.state === 'merged').length,
      rejected: finished.filter((mr) => mr.state === 'rejected').length,
    },
  };
}

export function laneItem(mr: MergeRequest): LaneItem {
  const notes = mr.refinery ?? {};
  return {
    id: mr.id,
    bead: mr.bead ?? null,
    title: mr.title,
    polecat: mr.polecat ?? null,
    branch: mr.branch ?? null,
    priority: mr.priority,
    state: mr.state ?? 'queued',
    stage: notes.stage ?? null,
    created_at: mr.created_at,
    updated_at: mr.updated_at,
    reason: mr.state === 'rejected' ? (mr.reason ?? null) : (notes.held ?? null),
    conflicts: notes.conflicts ?? [],
    log: notes.log ?? null,
    merged_sha: notes.merged_sha ?? null,
    attempts: notes.attempts ?? 0,
  };
}
