/**
 * The shapes the workstation's panels read. They mirror the JSON bead of the CLI contract
 * (docs/cli.md, "JSON bead"), so the panels work from any source that speaks it: the journal's
 * projections, `bead list --json`, or hand-made data in tests.
 */

/** A bead as the board sees it. Unknown extra fields are allowed and ignored. */
export interface BeadView {
  readonly id: string;
  readonly type: string;
  readonly title: string;
  readonly body?: string | undefined;
  readonly status: string;
  readonly priority: number;
  readonly labels?: readonly string[] | undefined;
  readonly assignee?: string | null | undefined;
  readonly needs?: readonly string[] | undefined;
  readonly parent?: string | null | undefined;
  readonly created_by?: string | undefined;
  readonly created_at: string;
  readonly updated_at?: string | undefined;
  readonly closed_at?: string | null | undefined;
  readonly close_reason?: string | null | undefined;
}

/** A mail bead (`type: "message"`). */
export interface MailView extends BeadView {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly thread?: string | null | undefined;
  readonly read_by?: readonly string[] | undefined;
}

/** The states of a merge request in the refinery lane. */
export type MergeState = 'queued' | 'merging' | 'testing' | 'merged' | 'rejected';

/** A merge request bead (`type: "merge_request"`). */
export interface MergeRequestView extends BeadView {
  readonly branch: string;
  readonly polecat: string;
  readonly bead?: string | null | undefined;
  readonly state: MergeState;
  readonly reason?: string | null | undefined;
  /** The refinery's working notes (src/git/refinery-queue.ts): what it is doing, why it waits, its log. */
  readonly refinery?: {
    readonly stage?: string | undefined;
    readonly held?: string | null | undefined;
    readonly log?: string | undefined;
    readonly started_at?: string | undefined;
    readonly conflicts?: readonly string[] | undefined;
  } | undefined;
}

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
