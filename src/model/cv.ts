import type { JournalRecord } from '../journal/types.js';
import { entityAddress } from './address.js';
import { BEAD_KIND, isWork, type Bead } from './bead.js';
import { VALIDATION_KIND, isValidationRecord, type ValidationRecord } from './validation.js';

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

/** Builds `actor`'s CV from the journal's records (in seq order). */
export function buildCv(records: Iterable<JournalRecord>, actor: string, options: CvOptions = {}): Cv {
  const keep = options.recent ?? 10;
  const latest = new Map<string, Bead>();
  const created = new Set<string>();
  const claimed = new Set<string>();
  const finished = new Set<string>();
  const claimedAt = new Map<string, number>();
  const durations: number[] = [];
  let mailSent = 0;
  let firstSeen: string | null = null;
  let lastSeen: string | null = null;
  const chain: CvEntry[] = [];
  const signals = new ValidationTally(actor);

  for (const record of records) {
    if (record.kind === VALIDATION_KIND && isValidationRecord(record.entity)) {
      const validation = record.entity;
      if (signals.add(validation)) {
        firstSeen ??= record.ts;
        lastSeen = record.ts;
        chain.push({ seq: record.seq, time: record.ts, action: record.action, bead: validation.bead ?? validation.merge_request, title: record.summary ?? validation.merge_request, summary: record.summary ?? null });
        if (chain.length > keep * 2) chain.splice(0, chain.length - keep);
      }
      continue;
    }
    if (record.kind !== BEAD_KIND || !record.entity) continue;
    const bead = record.entity as unknown as Bead;
    latest.set(record.id, bead);
    const mine = involves(record, bead, actor);
    if (mine) {
      firstSeen ??= record.ts;
      lastSeen = record.ts;
      if (!QUIET_ACTIONS.has(record.action)) {
        chain.push({ seq: record.seq, time: record.ts, action: record.action, bead: record.id, title: bead.title, summary: record.summary ?? null });
        if (chain.length > keep * 2) chain.splice(0, chain.length - keep);
      }
    }
    if (bead.type === 'message') {
      if (record.action === 'mail' && bead.from === actor) mailSent++;
      continue;
    }
    if (!isWork(bead)) continue;
    if (record.action === 'create' && bead.created_by === actor) created.add(bead.id);
    if ((record.action === 'claim' || record.action === 'assign' || (record.action === 'create' && bead.status === 'in_progress')) && bead.assignee === actor) {
      claimed.add(bead.id);
      claimedAt.set(bead.id, Date.parse(record.ts));
    }
    if (record.action === 'close' && finishedBy(record, bead, actor)) {
      finished.add(bead.id);
      const start = claimedAt.get(bead.id);
      const end = Date.parse(record.ts);
      if (start !== undefined && Number.isFinite(start) && Number.isFinite(end) && end >= start) durations.push((end - start) / 1000);
      claimedAt.delete(bead.id);
    }
  }

  let merged = 0;
  let bounced = 0;
  let pending = 0;
  const labels = new Map<string, number>();
  for (const bead of latest.values()) {
    if (bead.type === 'merge_request' && bead.polecat === actor) {
      if (bead.state === 'merged') merged++;
      else if (bead.state === 'rejected') bounced++;
      else pending++;
    }
  }
  for (const id of finished) {
    const bead = latest.get(id);
    if (bead?.status !== 'closed') continue; // reopened since: not finished work any more
    for (const label of bead.labels) labels.set(label, (labels.get(label) ?? 0) + 1);
  }

  return {
    actor,
    address: options.town ? entityAddress(options.town, actor) : null,
    first_seen: firstSeen,
    last_seen: lastSeen,
    created: created.size,
    claimed: claimed.size,
    closed: [...finished].filter((id) => latest.get(id)?.status === 'closed').length,
    mail_sent: mailSent,
    merge_requests: { total: merged + bounced + pending, merged, bounced, pending },
    acceptance_rate: merged + bounced === 0 ? null : merged / (merged + bounced),
    median_claim_to_close_seconds: median(durations),
    skills: [...labels].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : 1)),
    validations: signals.result(latest),
    recent: chain.slice(-keep).reverse(),
  };
}

/** Adds up the validation records that concern one actor, in seq order. */
class ValidationTally {
  private readonly received = { accepted: 0, rejected: 0 };
  private readonly given = { accepted: 0, rejected: 0 };
  /** Per bead (or merge request, without one): rejections before it landed, and whether it landed. */
  private readonly work = new Map<string, { rejections: number; landedAt: string | null; rejectedBeforeLanding: boolean }>();
  private readonly feedback: CvFeedback[] = [];

  constructor(private readonly actor: string) {}

  /** Counts `v`; true when it is part of the actor's chain (its work, or its verdict). */
  add(v: ValidationRecord): boolean {
    const mine = v.worker === this.actor;
    const gave = v.validator === this.actor;
    if (gave) this.given[v.verdict]++;
    if (!mine) return gave;
    this.received[v.verdict]++;
    const key = v.bead ?? v.merge_request;
    const work = this.work.get(key) ?? { rejections: 0, landedAt: null, rejectedBeforeLanding: false };
    if (v.verdict === 'rejected' && work.landedAt === null) {
      work.rejections++;
      work.rejectedBeforeLanding = true;
    }
    if (v.verdict === 'accepted' && v.stage === 'gates' && v.main_commit && work.landedAt === null) work.landedAt = v.at;
    this.work.set(key, work);
    if (v.stage === 'review') {
      this.feedback.push({ merge_request: v.merge_request, bead: v.bead, verdict: v.verdict, by: v.validator, by_address: v.validator_address, note: v.note, at: v.at });
      if (this.feedback.length > 20) this.feedback.splice(0, this.feedback.length - 10);
    }
    return true;
  }

  /** The signals; time to merge from the first merge request of each bead (`latest`: the beads as they are). */
  result(latest: ReadonlyMap<string, Bead>): CvValidations {
    const firstRequest = new Map<string, number>();
    for (const bead of latest.values()) {
      if (bead.type !== 'merge_request' || bead.polecat !== this.actor) continue;
      const key = bead.bead ?? bead.id;
      const at = Date.parse(bead.created_at);
      if (Number.isFinite(at) && at < (firstRequest.get(key) ?? Infinity)) firstRequest.set(key, at);
    }
    let landed = 0;
    let firstTime = 0;
    let revisions = 0;
    const times: number[] = [];
    for (const [key, work] of this.work) {
      revisions += work.rejections;
      if (work.landedAt === null) continue;
      landed++;
      if (!work.rejectedBeforeLanding) firstTime++;
      const start = firstRequest.get(key);
      const end = Date.parse(work.landedAt);
      if (start !== undefined && Number.isFinite(end) && end >= start) times.push((end - start) / 1000);
    }
    return {
      received: { ...this.received },
      given: { ...this.given },
      landed,
      accepted_first_time: firstTime,
      revisions,
      median_time_to_merge_seconds: median(times),
      review_feedback: this.feedback.slice(-10).reverse(),
    };
  }
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
