import type { JournalRecord } from '../journal/types.js';
import { entityAddress } from './address.js';
import { BEAD_KIND, isWork, type Bead } from './bead.js';
import { VALIDATION_KIND, isValidationRecord } from './validation.js';

/**
 * An actor's CV (docs/model.md, "CV"): its work history, derived from the journal's records.
 * Work history is proof of capability, so every figure is something the actor did and the
 * journal can show: beads created, claimed, finished; merge requests merged or bounced.
 */
export interface Cv {
  readonly actor: string;
  /** `entity://citadel/<town>/<actor>` when the town's name is known (docs/model.md, "Addresses"). */
  readonly address: string | null;
  /** The time of the actor's first and last journal entry (null when there are none). */
  readonly first_seen: string | null;
  readonly last_seen: string | null;
  /** Work beads (not mail, not merge requests) the actor created. */
  readonly created: number;
  /** Work beads the actor claimed, or was assigned. */
  readonly claimed: number;
  /** Work beads finished: closed while assigned to the actor, or closed by it when unassigned. */
  readonly closed: number;
  readonly mail_sent: number;
  /** Merge requests whose polecat is the actor, by their current state. */
  readonly merge_requests: {
    readonly total: number;
    readonly merged: number;
    /** Rejected by the refinery (bounced). */
    readonly bounced: number;
    /** Still queued, merging or testing. */
    readonly pending: number;
  };
  /** merged / (merged + bounced); null before the first verdict. */
  readonly acceptance_rate: number | null;
  /** Median time from the actor's claim of a bead to its close, in seconds; null without one. */
  readonly median_claim_to_close_seconds: number | null;
  /** The labels of finished work, most frequent first: the actor's skill profile. */
  readonly skills: readonly { readonly label: string; readonly count: number }[];
  /** Quality signals from the validation records (docs/model.md, "Validations"). */
  readonly validations: CvValidations;
  /** The last entries of the actor's chain, newest first. */
  readonly recent: readonly CvEntry[];
}

/** What the validation records say of the actor's work, and what it validated itself. */
export interface CvValidations {
  /** Verdicts on its merge requests: by the refinery's gates and by reviewers. */
  readonly received: { readonly accepted: number; readonly rejected: number };
  /** Verdicts it gave (the refinery's, a reviewer's). */
  readonly given: { readonly accepted: number; readonly rejected: number };
  /** Beads of its that landed (accepted by the gates, main moved). */
  readonly landed: number;
  /** Of those, how many landed with no rejection before: accepted first time. */
  readonly accepted_first_time: number;
  /** Rejections of its work (bounces by the gates, rejections in review): the revisions asked for. */
  readonly revisions: number;
  /** Median time from a bead's first merge request to its landing, in seconds; null without one. */
  readonly median_time_to_merge_seconds: number | null;
  /** Reviewers' words on its work (approve --note, reject --reason), newest first (at most 10). */
  readonly review_feedback: readonly CvFeedback[];
}

export interface CvFeedback {
  readonly merge_request: string;
  readonly bead: string | null;
  readonly verdict: 'accepted' | 'rejected';
  readonly by: string;
  readonly by_address: string;
  readonly note: string | null;
  readonly at: string;
}

/** One entry of an actor's chain: an event, its bead, its time. */
export interface CvEntry {
  readonly seq: number;
  readonly time: string;
  readonly action: string;
  readonly bead: string;
  readonly title: string;
  readonly summary: string | null;
}

export interface CvOptions {
  /** How many chain entries to keep (default 10). */
  readonly recent?: number;
  /** The town's name (config `name`): the CV carries the actor's address. */
  readonly town?: string;
}

/** Reading mail says nothing about capability: it stays out of the chain. */
const QUIET_ACTIONS = new Set(['read']);

/** Chain entries the fold keeps per actor: `cv --recent N` above this replays the records. */
export const CV_RECENT_KEPT = 50;

/**
 * The CV as a fold over the journal's records (docs/journal.md, "Folds"): per actor, the few
 * facts its CV and skill profile are computed from, so `cv ACTOR` reads that actor's rows from
 * the query index instead of replaying every record. `buildCv` runs the same fold over records
 * in memory, so the two cannot disagree. Keys (actor names hold no control characters):
 *   a␁ACTOR           counters, first/last seen, the last chain entries, validation tallies, skill counts
 *   b␁ACTOR␁ID        the actor and one bead: created, claimed, finished, claim time, durations,
 *                     a merge request of its, the seconds to merge and the seq of a merged verdict
 *   w␁ACTOR␁KEY       validation work: rejections before landing, when it landed
 *   g␁ID              per bead, whoever's: first claim time, bounced, verdict counted (the skill book's)
 */
export interface CvFoldStore {
  get(key: string): unknown;
  put(key: string, value: unknown): void;
}
export interface CvFoldReader {
  get(key: string): unknown;
  scan(prefix: string): Iterable<[string, unknown]>;
}

const SEP = '\u0001';
const actorKey = (actor: string): string => `a${SEP}${actor}`;
const beadKey = (actor: string, id: string): string => `b${SEP}${actor}${SEP}${id}`;
const workKey = (actor: string, key: string): string => `w${SEP}${actor}${SEP}${key}`;
const globalKey = (id: string): string => `g${SEP}${id}`;

interface Tally {
  accepted: number;
  rejected: number;
}
interface ActorRow {
  first: string | null;
  last: string | null;
  mail: number;
  recent: CvEntry[];
  received: Tally;
  given: Tally;
  feedback: CvFeedback[];
  /** The skill book's counts for the actor as a polecat (src/scheduler/skills.ts). */
  labels: Record<string, number>;
  types: Record<string, number>;
  closed: number;
  merged: number;
  bounced: number;
  firstTry: number;
}
interface BeadRow {
  created?: 1;
  claimed?: 1;
  finished?: 1;
  /** The actor's claim time (ms; null when the time did not parse), until the bead closes for it. */
  claimedAt?: number | null;
  durations?: number[];
  /** A merge request naming the actor as its polecat (in some version). */
  mr?: 1;
  mergeSeconds?: number;
  /** The seq of the verdict that merged it (its files count for the actor's paths). */
  mergedAt?: number;
  /** The bead's latest version, as much as the CV reads of it (kept on rows that are finished or a merge request). */
  now?: BeadNow;
}
/** What the CV reads of a bead's latest version. */
interface BeadNow {
  type: string;
  status: string;
  labels: readonly string[];
  polecat?: string;
  state?: string;
  bead?: string | null;
  created_at?: string;
}
interface WorkRow {
  rejections: number;
  landedAt: string | null;
  rejectedBeforeLanding: boolean;
}
interface GlobalRow {
  claim?: number | null;
  bounced?: 1;
  verdict?: 1;
  /** Actors whose row of this bead keeps its latest version (`now`). */
  watchers?: string[];
}

const nowOf = (bead: Bead): BeadNow =>
  bead.type === 'merge_request'
    ? { type: bead.type, status: bead.status, labels: bead.labels, polecat: bead.polecat, state: bead.state, bead: bead.bead, created_at: bead.created_at }
    : { type: bead.type, status: bead.status, labels: bead.labels };

const emptyActor = (): ActorRow => ({
  first: null,
  last: null,
  mail: 0,
  recent: [],
  received: { accepted: 0, rejected: 0 },
  given: { accepted: 0, rejected: 0 },
  feedback: [],
  labels: {},
  types: {},
  closed: 0,
  merged: 0,
  bounced: 0,
  firstTry: 0,
});

/** Date.parse, with NaN kept as null (JSON has no NaN); compare through {@link known}. */
const time = (ts: string): number | null => {
  const at = Date.parse(ts);
  return Number.isFinite(at) ? at : null;
};

/** Feeds one record to the CV fold: every actor it names, or only `only` (a replay for one actor). */
export function foldCvRecord(record: JournalRecord, store: CvFoldStore, only?: string, kept = CV_RECENT_KEPT): void {
  const rows = new Map<string, ActorRow>();
  const names = (actor: unknown): actor is string => typeof actor === 'string' && actor !== '' && (only === undefined || actor === only);
  const row = (actor: string): ActorRow => {
    let found = rows.get(actor);
    if (!found) rows.set(actor, (found = (store.get(actorKey(actor)) as ActorRow | undefined) ?? emptyActor()));
    return found;
  };
  const seen = (actor: string, entry: CvEntry | null): void => {
    const r = row(actor);
    r.first ??= record.ts;
    r.last = record.ts;
    if (entry) {
      r.recent.push(entry);
      if (r.recent.length > kept) r.recent.splice(0, r.recent.length - kept);
    }
  };
  if (record.kind === VALIDATION_KIND && isValidationRecord(record.entity)) {
    const v = record.entity;
    for (const actor of new Set([v.worker, v.validator])) {
      if (!names(actor)) continue;
      if (v.validator === actor) row(actor).given[v.verdict]++;
      if (v.worker === actor) {
        const r = row(actor);
        r.received[v.verdict]++;
        const key = v.bead ?? v.merge_request;
        const work = (store.get(workKey(actor, key)) as WorkRow | undefined) ?? { rejections: 0, landedAt: null, rejectedBeforeLanding: false };
        if (v.verdict === 'rejected' && work.landedAt === null) {
          work.rejections++;
          work.rejectedBeforeLanding = true;
        }
        if (v.verdict === 'accepted' && v.stage === 'gates' && v.main_commit && work.landedAt === null) work.landedAt = v.at;
        store.put(workKey(actor, key), work);
        if (v.stage === 'review') {
          r.feedback.push({ merge_request: v.merge_request, bead: v.bead, verdict: v.verdict, by: v.validator, by_address: v.validator_address, note: v.note, at: v.at });
          if (r.feedback.length > 10) r.feedback.splice(0, r.feedback.length - 10);
        }
      }
      seen(actor, { seq: record.seq, time: record.ts, action: record.action, bead: v.bead ?? v.merge_request, title: record.summary ?? v.merge_request, summary: record.summary ?? null });
    }
  } else if (record.kind === BEAD_KIND && record.entity) {
    const bead = record.entity as unknown as Bead;
    const fields = bead as unknown as Record<string, unknown>;
    const beadRows = new Map<string, BeadRow>();
    const beadRow = (actor: string): BeadRow => {
      let found = beadRows.get(actor);
      if (!found) beadRows.set(actor, (found = (store.get(beadKey(actor, bead.id)) as BeadRow | undefined) ?? {}));
      return found;
    };
    for (const actor of new Set([record.writer, fields.assignee, fields.polecat, fields.created_by, fields.from])) {
      if (!names(actor)) continue;
      if (involves(record, bead, actor)) seen(actor, QUIET_ACTIONS.has(record.action) ? null : { seq: record.seq, time: record.ts, action: record.action, bead: record.id, title: bead.title, summary: record.summary ?? null });
      if (bead.type === 'merge_request' && bead.polecat === actor) beadRow(actor).mr = 1;
      if (bead.type === 'message') {
        if (record.action === 'mail' && bead.from === actor) row(actor).mail++;
        continue;
      }
      if (!isWork(bead)) continue;
      if (record.action === 'create' && bead.created_by === actor) beadRow(actor).created = 1;
      if ((record.action === 'claim' || record.action === 'assign' || (record.action === 'create' && bead.status === 'in_progress')) && bead.assignee === actor) {
        const b = beadRow(actor);
        b.claimed = 1;
        b.claimedAt = time(record.ts);
      }
      if (record.action === 'close' && finishedBy(record, bead, actor)) {
        const b = beadRow(actor);
        b.finished = 1;
        const start = b.claimedAt;
        const end = time(record.ts);
        if (start !== undefined && start !== null && end !== null && end >= start) (b.durations ??= []).push((end - start) / 1000);
        delete b.claimedAt;
      }
    }
    foldSkills(record, bead, store, names, row, beadRow);
    // Rows that are finished work or a merge request keep the bead's latest version (what
    // `latest` holds in a replay), whoever writes it: the bead lists those actors.
    const global = (store.get(globalKey(bead.id)) as GlobalRow | undefined) ?? {};
    let watchers = global.watchers ?? [];
    const added = [...beadRows].filter(([actor, b]) => (b.finished || b.mr) && !watchers.includes(actor)).map(([actor]) => actor);
    if (added.length) {
      watchers = [...watchers, ...added];
      store.put(globalKey(bead.id), { ...global, watchers });
    }
    if (watchers.length) {
      const now = nowOf(bead);
      for (const actor of watchers) beadRow(actor).now = now;
    }
    for (const [actor, b] of beadRows) store.put(beadKey(actor, bead.id), b);
  }
  for (const [actor, r] of rows) store.put(actorKey(actor), r);
}

/**
 * The skill book's part for a polecat's own profile (src/scheduler/skills.ts, `SkillBook.add`;
 * agents' profiles are not folded: `cv --agent` replays): verdicts on merge requests, first
 * claims, closes while assigned.
 */
function foldSkills(record: JournalRecord, bead: Bead, store: CvFoldStore, names: (actor: unknown) => actor is string, row: (actor: string) => ActorRow, beadRow: (actor: string) => BeadRow): void {
  const globalRow = (id: string): GlobalRow => (store.get(globalKey(id)) as GlobalRow | undefined) ?? {};
  if (bead.type === 'merge_request') {
    const polecat = bead.polecat;
    if (!polecat || !bead.bead) return;
    const verdict = globalRow(bead.id);
    if (verdict.verdict) return;
    if (bead.state !== 'merged' && bead.state !== 'rejected') return;
    verdict.verdict = 1;
    store.put(globalKey(bead.id), verdict);
    const work = globalRow(bead.bead);
    if (names(polecat)) {
      const r = row(polecat);
      if (bead.state === 'rejected') r.bounced++;
      else {
        r.merged++;
        if (!work.bounced) r.firstTry++;
        const start = work.claim;
        const end = time(record.ts);
        if (start !== undefined && start !== null && end !== null && end >= start) beadRow(polecat).mergeSeconds = (end - start) / 1000;
        beadRow(polecat).mergedAt = record.seq;
      }
    }
    if (bead.state === 'rejected') {
      work.bounced = 1;
      store.put(globalKey(bead.bead), work);
    }
    return;
  }
  if (!isWork(bead)) return;
  if (record.action === 'claim' && bead.assignee) {
    const work = globalRow(bead.id);
    if (!('claim' in work)) {
      work.claim = time(record.ts);
      store.put(globalKey(bead.id), work);
    }
  }
  if (record.action === 'close' && bead.assignee && names(bead.assignee)) {
    const r = row(bead.assignee);
    r.closed++;
    for (const label of bead.labels) r.labels[label] = (r.labels[label] ?? 0) + 1;
    r.types[bead.type] = (r.types[bead.type] ?? 0) + 1;
  }
}

/** The CV fold as the query index keeps it (`Journal.folded`); fed every record, for every actor. */
export const CV_FOLD = {
  name: 'cv',
  version: 2,
  add: (record: JournalRecord, store: CvFoldStore): void => foldCvRecord(record, store),
} as const;

/** An in-memory store for a replay. */
class MemoryStore implements CvFoldStore, CvFoldReader {
  private readonly map = new Map<string, unknown>();
  get(key: string): unknown {
    return this.map.get(key);
  }
  put(key: string, value: unknown): void {
    this.map.set(key, value);
  }
  *scan(prefix: string): Iterable<[string, unknown]> {
    for (const entry of this.map) if (entry[0].startsWith(prefix)) yield entry;
  }
}

/** Builds `actor`'s CV from the journal's records (in seq order): the fold replayed for one actor. */
export function buildCv(records: Iterable<JournalRecord>, actor: string, options: CvOptions = {}): Cv {
  const store = new MemoryStore();
  const kept = Math.max(CV_RECENT_KEPT, options.recent ?? 10);
  for (const record of records) foldCvRecord(record, store, actor, kept);
  return readCvFold(store, actor, options).cv;
}

/** A polecat's skill profile from its fold rows (as `SkillBook.profile(actor)` computes it from every record). */
export interface FoldedSkills {
  readonly labels: ReadonlyMap<string, number>;
  readonly types: ReadonlyMap<string, number>;
  readonly closed: number;
  readonly firstTry: number;
  readonly merged: number;
  readonly bounced: number;
  readonly medianMergeSeconds: number | null;
  /** Its merged requests, in the order of their verdicts (their files are asked of git). */
  readonly mergedRequests: readonly string[];
}

/** `actor`'s CV and skill profile from its fold rows (one scan of them). */
export function readCvFold(reader: CvFoldReader, actor: string, options: CvOptions = {}): { cv: Cv; skills: FoldedSkills } {
  const keep = options.recent ?? 10;
  const row = (reader.get(actorKey(actor)) as ActorRow | undefined) ?? emptyActor();
  let created = 0;
  let claimed = 0;
  let closed = 0;
  const durations: number[] = [];
  let merged = 0;
  let bounced = 0;
  let pending = 0;
  const labels = new Map<string, number>();
  const firstRequest = new Map<string, number>();
  const seconds: number[] = [];
  const mergedAt: [number, string][] = [];
  const prefix = beadKey(actor, '');
  for (const [key, value] of reader.scan(prefix)) {
    const id = key.slice(prefix.length);
    const b = value as BeadRow;
    if (b.created) created++;
    if (b.claimed) claimed++;
    if (b.durations) durations.push(...b.durations);
    if (b.mergeSeconds !== undefined) seconds.push(b.mergeSeconds);
    if (b.mergedAt !== undefined) mergedAt.push([b.mergedAt, id]);
    const now = b.now;
    if (!now) continue;
    if (b.finished && now.status === 'closed') {
      closed++;
      for (const label of now.labels) labels.set(label, (labels.get(label) ?? 0) + 1);
    }
    if (b.mr && now.type === 'merge_request' && now.polecat === actor) {
      if (now.state === 'merged') merged++;
      else if (now.state === 'rejected') bounced++;
      else pending++;
      // Time to merge from the first merge request of each bead (as the requests are now).
      const work = now.bead ?? id;
      const at = Date.parse(now.created_at ?? '');
      if (Number.isFinite(at) && at < (firstRequest.get(work) ?? Infinity)) firstRequest.set(work, at);
    }
  }
  let landed = 0;
  let firstTime = 0;
  let revisions = 0;
  const times: number[] = [];
  const workPrefix = workKey(actor, '');
  for (const [key, value] of reader.scan(workPrefix)) {
    const work = value as WorkRow;
    revisions += work.rejections;
    if (work.landedAt === null) continue;
    landed++;
    if (!work.rejectedBeforeLanding) firstTime++;
    const start = firstRequest.get(key.slice(workPrefix.length));
    const end = Date.parse(work.landedAt);
    if (start !== undefined && Number.isFinite(end) && end >= start) times.push((end - start) / 1000);
  }
  const cv: Cv = {
    actor,
    address: options.town ? entityAddress(options.town, actor) : null,
    first_seen: row.first,
    last_seen: row.last,
    created,
    claimed,
    closed,
    mail_sent: row.mail,
    merge_requests: { total: merged + bounced + pending, merged, bounced, pending },
    acceptance_rate: merged + bounced === 0 ? null : merged / (merged + bounced),
    median_claim_to_close_seconds: median(durations),
    skills: [...labels].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : 1)),
    validations: {
      received: { ...row.received },
      given: { ...row.given },
      landed,
      accepted_first_time: firstTime,
      revisions,
      median_time_to_merge_seconds: median(times),
      review_feedback: row.feedback.slice(-10).reverse(),
    },
    recent: row.recent.slice(-keep).reverse(),
  };
  const skills: FoldedSkills = {
    labels: new Map(Object.entries(row.labels)),
    types: new Map(Object.entries(row.types)),
    closed: row.closed,
    firstTry: row.firstTry,
    merged: row.merged,
    bounced: row.bounced,
    medianMergeSeconds: median(seconds),
    mergedRequests: mergedAt.sort((x, y) => x[0] - y[0]).map(([, id]) => id),
  };
  return { cv, skills };
}

/** Closed for the actor: it held the bead, or nobody did and it closed it. */
function finishedBy(record: JournalRecord, bead: Bead, actor: string): boolean {
  return bead.assignee === actor || (bead.assignee === null && record.writer === actor);
}

/** Whether a record belongs to the actor's chain: it wrote it, or it is about the actor's work. */
function involves(record: JournalRecord, bead: Bead, actor: string): boolean {
  if (record.writer === actor) return true;
  if (bead.type === 'merge_request') return bead.polecat === actor && record.action !== 'create';
  return (record.action === 'close' || record.action === 'assign') && bead.assignee === actor;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
