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

/** The fields every bead has, whatever its type (keys in the contract's order). */
type BeadCore = {
  readonly id: string;
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
  /** On an epic poured from a molecule: the molecule's name. Such an epic closes itself with its last step. */
  readonly molecule?: string;
  /** Fields kept from an import that citadel has no place for (e.g. Beads' own), never interpreted. */
  readonly metadata?: Readonly<Record<string, unknown>>;
};

/** What a message carries (type "message"; `citadel mail send` always writes all of it). */
export type MailFields = {
  readonly from: string;
  /** An address: overseer, refinery, a polecat's name, or @all. */
  readonly to: string;
  readonly subject: string;
  /** The id of the first message of the conversation (itself for a new thread). */
  readonly thread: string;
  /** The message this one answers (`--reply-to`), or null. */
  readonly reply_to: string | null;
  /** The readers who have read it (`mail read`). */
  readonly read_by: readonly string[];
};

/** What a merge request carries (type "merge_request"; `citadel done` always writes all of it). */
export type MergeRequestFields = {
  readonly branch: string;
  /** The polecat whose branch it is. */
  readonly polecat: string;
  /** The bead the branch finishes, or null. */
  readonly bead: string | null;
  readonly state: MergeRequestState;
  /** Why it was rejected (bounced), or null. */
  readonly reason: string | null;
};

/** Who can take a molecule's step: a polecat, the refinery (a gate) or the overseer. */
export type StepRole = 'polecat' | 'refinery' | 'overseer';

/** One recorded failure of a step (`molecule fail`, a refinery gate, the witness). */
export type StepFailure = {
  readonly at: string;
  /** Who reported it. */
  readonly by: string;
  /** Who held the step when it failed (null when nobody did). */
  readonly holder: string | null;
  readonly reason: string;
};

/** One time a step was taken back from its holder (`molecule release`: its polecat is gone). */
export type StepRelease = StepFailure;

/**
 * What a step poured from a molecule carries (docs/molecules.md). A step made by hand
 * (`bead create --type step`) has none of it, so on {@link StepBead} every field is optional.
 */
export type MoleculeStepFields = {
  /** The step's id in the molecule, e.g. `fix` or `verify.run`. */
  readonly step: string;
  /** The molecule that declares the step (an include's name for an included step). */
  readonly step_molecule: string;
  readonly acceptance: string;
  /** The command that must pass before the step counts as done (run by the refinery), or null. */
  readonly gate: string | null;
  readonly role: StepRole;
  readonly failures: readonly StepFailure[];
  readonly releases: readonly StepRelease[];
};

/** Another type's fields, absent here: read on any bead they are `undefined`, narrowing by `type` gives them. */
type Absent<T> = { readonly [K in keyof T]?: undefined };

/** Every type-specific field, absent: what a bead of a type without any of them declares. */
type NoTypeFields = Absent<MailFields> & Absent<MergeRequestFields> & Absent<MoleculeStepFields>;

/** Work made by a person: tasks, bugs, features, epics, chores (a step is {@link StepBead}). */
export type WorkBead = BeadCore & { readonly type: 'task' | 'bug' | 'feature' | 'epic' | 'chore' } & NoTypeFields;
/** A molecule's step (or a step made by hand, without the molecule's fields). */
export type StepBead = BeadCore & { readonly type: 'step' } & Partial<MoleculeStepFields> & Absent<MailFields> & Absent<MergeRequestFields>;
/** Mail: a message between the overseer, the refinery and polecats (docs/model.md, "Mail"). */
export type MessageBead = BeadCore & { readonly type: 'message' } & MailFields & Absent<MergeRequestFields> & Absent<MoleculeStepFields>;
/** A polecat's branch submitted to the refinery (docs/refinery.md). */
export type MergeRequestBead = BeadCore & { readonly type: 'merge_request' } & MergeRequestFields & Absent<MailFields> & Absent<MoleculeStepFields>;
/** A semaphore other beads `--uses` (its `capacity`: src/model/schedule.ts). */
export type ResourceBead = BeadCore & { readonly type: 'resource' } & NoTypeFields;

/**
 * A bead as stored and as printed by `--json`: a union discriminated by `type`, so narrowing
 * (`bead.type === 'message'`, or {@link isMessage}) gives the fields that type always carries —
 * mail fields on messages, branch/polecat/state on merge requests, the molecule's fields on
 * steps. On a bead not narrowed, another type's field reads as `undefined` (declared absent),
 * so `bead.branch ?? …` still compiles. Keys appear in the contract's order; the type-specific
 * fields are present only on the types that use them. The JSON is unchanged (docs/cli.md).
 *
 * Type aliases (not interfaces) so that a Bead is assignable to the journal's `Entity`.
 */
export type Bead = WorkBead | StepBead | MessageBead | MergeRequestBead | ResourceBead;

/** The variant of `B` whose `type` includes `T`, with `type` narrowed to `T` (distributes over `B`). */
type VariantOf<B, T> = B extends { readonly type: infer U } ? (T extends U ? B & { readonly type: T } : never) : never;

/** The bead variant of one type: `BeadOf<'message'>` is {@link MessageBead}, `BeadOf<'bug'>` a {@link WorkBead} of type bug. */
export type BeadOf<T extends BeadType> = VariantOf<Bead, T>;

/** Narrows a bead to its type's variant: `isBeadOf(bead, 'merge_request')`. */
export const isBeadOf = <T extends BeadType>(bead: Bead, type: T): bead is BeadOf<T> => bead.type === type;
export const isMessage = (bead: Bead): bead is MessageBead => bead.type === 'message';
export const isMergeRequest = (bead: Bead): bead is MergeRequestBead => bead.type === 'merge_request';
export const isStep = (bead: Bead): bead is StepBead => bead.type === 'step';
export const isResource = (bead: Bead): bead is ResourceBead => bead.type === 'resource';

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
