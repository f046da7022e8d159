/**
 * The bead: one record of work (docs/model.md). Its JSON shape is the command-line contract of
 * CLI.md ("JSON bead"), stored whole in the journal as an entity of kind {@link BEAD_KIND}.
 */

/** The journal entity kind of beads (`.citadel/beads/<id>.json`). */
export const BEAD_KIND = 'beads';

/** Every bead type. */
export const BEAD_TYPES = ['task', 'bug', 'feature', 'epic', 'chore', 'step', 'message', 'merge_request', 'resource'] as const;
export type BeadType = (typeof BEAD_TYPES)[number];

/** Types a person creates with `bead create`; messages and merge requests have their own commands. */
export const WORK_TYPES = ['task', 'bug', 'feature', 'epic', 'chore', 'step'] as const;

/** Types `bead create --type` takes: work, and `resource` (a semaphore beads `--uses`; docs/scheduler.md). */
export const CREATE_TYPES = [...WORK_TYPES, 'resource'] as const;

/** Every status: open → in_progress → closed, with blocked aside. */
export const BEAD_STATUSES = ['open', 'in_progress', 'blocked', 'closed'] as const;
export type BeadStatus = (typeof BEAD_STATUSES)[number];

/** A merge request's way through the refinery: queued → merging → testing → merged | rejected. */
export const MERGE_REQUEST_STATES = ['queued', 'merging', 'testing', 'merged', 'rejected'] as const;
export type MergeRequestState = (typeof MERGE_REQUEST_STATES)[number];

/** 0 is the highest priority, 4 the lowest; 2 is the default. */
export type Priority = 0 | 1 | 2 | 3 | 4;
export const DEFAULT_PRIORITY: Priority = 2;

/**
 * A bead as stored and as printed by `--json`. Keys appear in the contract's order; the
 * type-specific fields are present only on the types that use them.
 *
 * A type alias (not an interface) so that a Bead is assignable to the journal's `Entity`.
 */
export type Bead = {
  readonly id: string;
  readonly type: BeadType;
  readonly title: string;
  readonly body: string;
  readonly status: BeadStatus;
  readonly priority: Priority;
  readonly labels: readonly string[];
  /** Who works on it; null when unclaimed. */
  readonly assignee: string | null;
  /** Blocking dependencies: this bead cannot start until every one of them is closed. */
  readonly needs: readonly string[];
  /** The epic (or any bead) this one belongs to. */
  readonly parent: string | null;
  readonly created_by: string;
  /** ISO-8601 UTC times. */
  readonly created_at: string;
  readonly updated_at: string;
  readonly closed_at: string | null;
  readonly close_reason: string | null;

  // mail (type "message")
  readonly from?: string;
  /** An address: overseer, refinery, a polecat's name, or @all. */
  readonly to?: string;
  readonly subject?: string;
  /** The id of the first message of the conversation (itself for a new thread). */
  readonly thread?: string;
  /** The message this one answers (`--reply-to`), or null. */
  readonly reply_to?: string | null;
  /** The readers who have read it (`mail read`). */
  readonly read_by?: readonly string[];

  // merge request (type "merge_request")
  readonly branch?: string;
  /** The polecat whose branch it is. */
  readonly polecat?: string;
  /** The bead the branch finishes. */
  readonly bead?: string | null;
  readonly state?: MergeRequestState;
  /** Why it was rejected (bounced), or null. */
  readonly reason?: string | null;

  /** On an epic poured from a molecule: the molecule's name. Such an epic closes itself with its last step. */
  readonly molecule?: string;

  /** Fields kept from an import that citadel has no place for (e.g. Beads' own), never interpreted. */
  readonly metadata?: Readonly<Record<string, unknown>>;
};

/** Type guards for values read from outside (input, imports, other areas' entities). */
export const isBeadType = (value: unknown): value is BeadType => typeof value === 'string' && (BEAD_TYPES as readonly string[]).includes(value);
export const isBeadStatus = (value: unknown): value is BeadStatus =>
  typeof value === 'string' && (BEAD_STATUSES as readonly string[]).includes(value);
export const isMergeRequestState = (value: unknown): value is MergeRequestState =>
  typeof value === 'string' && (MERGE_REQUEST_STATES as readonly string[]).includes(value);
export const isPriority = (value: unknown): value is Priority => Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 4;

/**
 * True for the beads that are work (not mail, not merge requests, not resources — a resource is
 * a semaphore other beads hold, never worked on itself): what the board and the ready queue show.
 */
export const isWork = (bead: Bead): boolean => bead.type !== 'message' && bead.type !== 'merge_request' && bead.type !== 'resource';
