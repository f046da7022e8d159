import type { StateView } from '../journal/types.js';
import { BEAD_KIND, type Bead, type MergeRequestBead } from '../model/bead.js';
import { queriesOf } from '../journal/query-index.js';

/**
 * The refinery's working notes on a merge request, stored on the merge-request bead as its
 * `refinery` field (the contract's `state` and `reason` stay the headline).
 */
export interface RefineryNotes {
  /** What it is doing right now: rebase, merge, gate 1/2: npm test, landing, held… */
  readonly stage?: string;
  /** Attempts so far (main moving meanwhile, a crash, a hold all cause another). */
  readonly attempts?: number;
  /** The gate log, relative to the town root (`.citadel/logs/<mr id>.log`). */
  readonly log?: string;
  /** The commit the current attempt builds on, and the commit it would make main. */
  readonly main_before?: string;
  readonly candidate?: string;
  /** When the current attempt started (ISO), for the lane's elapsed time. */
  readonly started_at?: string;
  /** Conflicting files of a bounce on a conflict. */
  readonly conflicts?: readonly string[];
  /** The failing gate of a bounce on a gate. */
  readonly gate?: { readonly argv: readonly string[]; readonly code: number | null; readonly tail: string; readonly timed_out: boolean };
  /** Why it waits without being rejected (main checked out with local changes, main broken). */
  readonly held?: string | null;
  /** The commit main points at after the landing. */
  readonly merged_sha?: string;
  /** The validation record: who validated, which gates ran, how long each took. */
  readonly validation?: Validation;
  /**
   * Config `review: "required"` (docs/refinery.md, "Review"): `awaiting` once the branch at
   * `branch_commit` passed its gates (the refinery skips it until a person decides),
   * `approved` after `citadel approve` (the refinery lands it, gating it again on main as it is then).
   */
  readonly review?: ReviewNotes | null;
}

export interface ReviewNotes {
  readonly state: 'awaiting' | 'approved';
  readonly branch_commit: string;
  readonly main_before?: string;
  readonly candidate?: string;
  readonly since: string;
  readonly by?: string;
}

/** Whether the refinery leaves a request alone until a person reviews it. */
export const awaitingReview = (mr: MergeRequest): boolean => mr.refinery?.review?.state === 'awaiting';

export interface Validation {
  readonly validator: string;
  readonly main_before: string;
  readonly merged_sha: string;
  readonly commits: number;
  readonly gates: readonly { readonly argv: readonly string[]; readonly ms: number; readonly code: number | null }[];
  readonly total_ms: number;
  /** The trust hash (sha256 of the argv lists, `fingerprint`) of the gates that ran. */
  readonly gates_hash?: string;
  /** The branch's tip the candidate was built from. */
  readonly branch_commit?: string;
}

/** A merge request (the model's `merge_request` bead) with the refinery's notes. */
export type MergeRequest = MergeRequestBead & { readonly refinery?: RefineryNotes };

/** The entity where the refinery records town-wide facts (kind `refinery`, id `main`). */
export const REFINERY_KIND = 'refinery';
export const MAIN_HEALTH_ID = 'main';

/** main's health: set when a gate fails on main itself. */
export type MainHealth = {
  readonly id: typeof MAIN_HEALTH_ID;
  /** The tip found broken, or null once a later tip passes. */
  readonly broken: { readonly sha: string; readonly argv: readonly string[]; readonly tail: string; readonly since: string; readonly request: string } | null;
};

export const isMergeRequest = (bead: Bead): bead is MergeRequest => bead.type === 'merge_request';
/** Requests the refinery is (or was, before a crash) working on. */
export const isActive = (mr: MergeRequest): boolean => mr.state === 'merging' || mr.state === 'testing';

/** Priority first (0 is highest), then age, then id: the refinery's order and the lane's. */
export function byPriorityThenAge(a: Bead, b: Bead): number {
  return a.priority - b.priority || a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id);
}

/** Every merge request in the town (`open`: those not closed). */
export function mergeRequests(state: StateView, only: 'all' | 'open' = 'all'): MergeRequest[] {
  const found: MergeRequest[] = [];
  const beads = state.all(BEAD_KIND);
  // Through the query index only the requests are read (walking the map would load the whole
  // town into memory, issue 18); `open`: the unfinished ones (queued, merging, testing: a status
  // other than closed), a few rows of the (type, status) index.
  const queries = queriesOf(beads);
  const rows = queries ? queries.iterate({ fields: { type: 'merge_request' }, ...(only === 'open' ? { not: { status: ['closed'] } } : {}) }) : beads.values();
  for (const entity of rows) {
    const bead = entity as unknown as Bead;
    if (isMergeRequest(bead)) found.push(bead);
  }
  return found;
}

/** Waiting requests in the order the refinery takes them. */
export function queuedRequests(state: StateView): MergeRequest[] {
  // (requests awaiting review are queued too: the refinery's picker skips them)
  return mergeRequests(state, 'open')
    .filter((mr) => mr.state === 'queued')
    .sort(byPriorityThenAge);
}

export function mainHealth(state: StateView): MainHealth['broken'] {
  const entity = state.get(REFINERY_KIND, MAIN_HEALTH_ID) as MainHealth | undefined;
  return entity?.broken ?? null;
}
