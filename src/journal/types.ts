/**
 * The journal's public contract. Everything above the journal (model, daemon, CLI, TUI) uses
 * only these types and `openJournal`; the journal knows nothing of beads or polecats: it
 * stores JSON entities of named kinds, keyed by id.
 */

/** A stored entity: a JSON object with a string id. Snapshots are stored whole (never diffs). */
export type Entity = { readonly id: string } & { readonly [key: string]: unknown };

/**
 * One change a mutation makes. `entity: null` is a delete (a tombstone record).
 * `kind` is a plural, directory-safe name ("beads", "polecats"); its projection files are
 * `<projections>/<kind>/<id>.json`. `action` is a short verb for history and the activity feed
 * ("create", "claim", "close", …); `summary` an optional human line.
 */
export interface Change {
  readonly kind: string;
  readonly id: string;
  readonly entity: Entity | null;
  readonly action: string;
  readonly summary?: string;
}

/** One record of the journal, as stored (the frame adds a CRC32C of the body). */
export interface JournalRecord {
  readonly v: 1;
  /** Global, contiguous, assigned under the store lock: the only ordering authority. */
  readonly seq: number;
  /** Informational only; never used for ordering. */
  readonly ts: string;
  /** Who wrote it (the actor), and the process, for diagnosis. */
  readonly writer: string;
  readonly pid: number;
  readonly action: string;
  readonly kind: string;
  readonly id: string;
  readonly entity?: Entity;
  readonly deleted?: true;
  readonly summary?: string;
  /**
   * Present when one mutation wrote several records: how many. A mutation's records are
   * contiguous and apply all together or not at all (a cut-short batch is a torn tail).
   */
  readonly batch?: number;
  /**
   * The hash chain (docs/journal.md, "Hash chain"): the chain value of the record before this
   * one (64 hex digits). Absent on records written before the chain existed.
   */
  readonly prev?: string;
  /**
   * On a record `doctor --repair` wrote in the slot of a lost one: the chain value the lost
   * record had (what the next record's `prev` holds), so the chain's gap is recorded, not hidden.
   */
  readonly replaces?: string;
}

/** A consistent, read-only view of every live entity at one seq. */
export interface StateView {
  /** The seq of the last record applied (0 for an empty journal). */
  readonly seq: number;
  get(kind: string, id: string): Entity | undefined;
  /** Every live entity of a kind (insertion order is not meaningful). */
  all(kind: string): ReadonlyMap<string, Entity>;
}

export interface MutationResult<T> {
  readonly value: T;
  /** The records appended (empty when the mutation changed nothing). */
  readonly records: readonly JournalRecord[];
  /** The journal's seq after the mutation. */
  readonly seq: number;
}

/**
 * Decides a mutation from the current state. It must be pure and synchronous: it may run
 * under the inter-process lock. Throwing aborts the mutation with nothing written.
 */
export type Mutator<T> = (state: StateView) => { changes: readonly Change[]; value: T };

export interface JournalOptions {
  /** The writer recorded on every record (the actor). */
  readonly writer: string;
  /** Where projection files go (`<projections>/<kind>/<id>.json`); none when omitted. */
  readonly projections?: string;
  /**
   * The kinds that get projection files (default: every kind). Projections are for what is meant
   * to be read as files; the query index and the snapshot hold the rest (issue 18: a file per
   * bead cost ~4 KiB on disk each).
   */
  readonly projectKinds?: readonly string[];
  /** Roll the active segment once it reaches this many bytes. */
  readonly segmentBytes?: number;
  /** fsync each mutation (default true). Tests of durability keep it on. */
  readonly fsync?: boolean;
  /** Write a state snapshot (a checkpoint) once this many records follow the last one (default 2000). */
  readonly checkpointEvery?: number;
  /** Give up waiting for the store lock after this long (default 30 s), naming the holder. */
  readonly lockTimeoutMs?: number;
  /**
   * Read and write through the query index, `journal/index.sqlite` (default true; docs/journal.md,
   * "The query index"). False: every handle keeps the whole state in memory (snapshot + replay).
   */
  readonly queryIndex?: boolean;
  /**
   * Compress archived segments at checkpoints (default true; docs/journal.md, "Disk"). False
   * leaves them plain, as a town before issue 18's compression kept them (tests of old towns).
   */
  readonly compressArchives?: boolean;
  /**
   * Folds kept in the query index beside the entities (docs/journal.md, "Folds"): each is fed
   * every record this handle appends, in the same SQLite transaction as the index, so a reader
   * (`Journal.folded`) finds it current without replaying the journal.
   */
  readonly folds?: readonly Fold[];
}

/** Storage a fold reads and writes while it is fed a record: JSON values by string key. */
export interface FoldStore {
  get(key: string): unknown;
  put(key: string, value: unknown): void;
}

/** What a reader of a fold sees: values by key, and every key starting with a prefix (in key order). */
export interface FoldReader {
  get(key: string): unknown;
  scan(prefix: string): Iterable<[string, unknown]>;
}

/**
 * A derived structure kept from the records (the query index keeps it; the journal knows nothing
 * of what it means). `add` must be deterministic: the fold equals a replay of every record in seq
 * order through `add` from an empty store. Bump `version` when `add` changes: the index then
 * rebuilds the fold from the journal.
 */
export interface Fold {
  readonly name: string;
  readonly version: number;
  add(record: JournalRecord, store: FoldStore): void;
}

export interface Journal {
  readonly dir: string;
  /** The state, brought up to date with the journal (an O(1) check when nothing changed). */
  read(): StateView;
  /** Runs `fn` under the store lock on the reconciled state and appends its changes with one fsync. */
  mutate<T>(fn: Mutator<T>): Promise<MutationResult<T>>;
  /** The records in seq order, optionally from a seq (inclusive) on; for history, CVs and the feed. */
  records(fromSeq?: number): Iterable<JournalRecord>;
  /**
   * Runs `read` on `fold` as of the journal's head (caught up first from the records it lacks),
   * together with a view; undefined when there is no query index (the caller replays `records()`).
   */
  folded?<T>(fold: Fold, read: (reader: FoldReader, view: StateView) => T): T | undefined;
  /** The seq at the head of the journal, read cheaply (the watermark), without replaying. */
  headSeq(): number;
  close(): void;
}
