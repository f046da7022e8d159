/**
 * The shapes the workstation's panels read: the model's bead, mail and merge-request types
 * (src/model, src/refinery/queue.ts), the JSON bead of the CLI contract (docs/cli.md, "JSON
 * bead"), plus what the panels add (events, molecules, the snapshot).
 */
import type { MergeRequest } from '../../refinery/queue.js';
import type { Bead, MessageBead } from '../../model/bead.js';
import type { BoardContext } from './board-groups.js';

/** A bead as the board sees it: the model's own bead (src/model/bead.ts), no copy of it. */
export type BeadView = Bead;

/** A mail bead: the model's `message` variant of the bead union (its mail fields always there). */
export type MailView = MessageBead;

/**
 * A merge request bead: the refinery's own type (src/refinery/queue.ts: the model's
 * `merge_request` variant, with the refinery's notes).
 */
export type MergeRequestView = MergeRequest;

/** One journal event, reduced to what the activity feed and the history need. */
export interface EventView {
  readonly seq: number;
  readonly ts: string;
  readonly writer: string;
  readonly action: string;
  readonly kind: string;
  readonly id: string;
  readonly summary?: string | undefined;
  /** The entity's title (or subject), when the record carried one. */
  readonly title?: string | undefined;
}

/** A molecule the overseer can pour, with the variables it asks for. */
export interface MoleculeChoice {
  readonly name: string;
  readonly title?: string | undefined;
  readonly vars: readonly { readonly name: string; readonly required: boolean; readonly description?: string | undefined }[];
}

/** Everything the panels show, read from the town at one journal seq. */
/** The town's scheduler as the workstation shows it (src/scheduler/view.ts, src/tui/live/scheduler-summary.ts). */
export interface SchedulerSummary {
  /** The status bar's words (`sched running 2/3 · next ct-a3f8`, `sched paused`), or null while it is off. */
  readonly line: string | null;
  /** A short note per bead id for the board: what the scheduler takes next, who holds a resource. */
  readonly notes: ReadonlyMap<string, string>;
}

/**
 * The town read through the journal's query index (src/tui/live/town-index.ts): the snapshot's
 * lists then hold only the working set (open work beads and the newest closed ones, the mail to
 * the person at the keyboard, the lane's requests), and the rest is asked for by id or by query.
 */
export interface IndexedTown {
  /** What the board's grouping asks beyond the beads it has (state/board-groups.ts). */
  readonly board: BoardContext;
  /** A bead by id, wherever it is. */
  bead(id: string): BeadView | undefined;
  /** The beads a bead's details mention: its needs, the beads that need it, its children. */
  related(id: string): readonly BeadView[];
  /** A bead's children. */
  children(id: string): readonly BeadView[];
  /** The messages of a thread (by the thread's id), oldest first. */
  thread(id: string): readonly MailView[];
}

export interface TownSnapshot {
  /** The town's name (its directory's base name). */
  readonly town: string;
  /** The journal seq this snapshot was read at; a new seq means new data. */
  readonly seq: number;
  /** Work beads (everything but mail and merge requests). */
  readonly beads: readonly BeadView[];
  readonly mail: readonly MailView[];
  readonly mergeRequests: readonly MergeRequestView[];
  /** The latest journal events, oldest first. */
  readonly events: readonly EventView[];
  /** Polecats with their witness status (for the "waiting" count and the sling form). */
  readonly polecats: readonly { readonly name: string; readonly status: string; readonly bead?: string | undefined }[];
  /** Agent presets `sling` accepts (the first is the town's default). */
  readonly presets: readonly string[];
  readonly molecules: readonly MoleculeChoice[];
  /** The last lines of the current merge request's gate log, if any. */
  readonly gateTail: readonly string[];
  /** Who the person at the keyboard is (mail is addressed to them). */
  readonly me: string;
  /** The scheduler's state and its notes on beads (absent before the first read). */
  readonly scheduler?: SchedulerSummary | undefined;
  /**
   * Set when the lists were read through the query index: `beads`, `mail` and `mergeRequests`
   * are then the working set, and this answers the rest (absent: the lists hold everything).
   */
  readonly index?: IndexedTown | undefined;
}

/** A snapshot with nothing in it: what the panels show before the first read. */
export const emptySnapshot: TownSnapshot = {
  town: '',
  seq: 0,
  beads: [],
  mail: [],
  mergeRequests: [],
  events: [],
  polecats: [],
  presets: ['scripted'],
  molecules: [],
  gateTail: [],
  me: 'overseer',
};
