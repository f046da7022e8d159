import { queriesOf, type EntityQueries, type Where } from '../../journal/query-index.js';
import type { JournalRecord, StateView } from '../../journal/types.js';
import { EVERYONE } from '../../model/address.js';
import { BEAD_KIND, BEAD_STATUSES, BEAD_TYPES, isMergeRequest, isMessage, type Bead } from '../../model/bead.js';
import { threadOf } from '../../model/mail.js';
import { filterKey, isEmptyFilter, keyMatches, type BoardFilter, type FilterKey } from '../state/board-filter.js';
import { byRecentlyClosed, recentClosedLimit, type BoardContext } from '../state/board-groups.js';
import { finishedLimit } from '../state/lane-order.js';
import type { BeadView, IndexedTown, MailView, MergeRequestView } from '../state/types.js';

/** Work beads: everything but mail and merge requests (what the board shows). */
const notWork = ['message', 'merge_request'];
const openStatuses = BEAD_STATUSES.filter((s) => s !== 'closed');
/** Closed beads kept beyond the board's 20, so a reopened one does not mean a new query at once. */
const closedKept = recentClosedLimit + 20;
const finishedKept = finishedLimit + 10;
/** A tail longer than this is read by loading the working set again (one query per part). */
const reloadAfter = 5_000;

/** Up to this many closed work beads, a filter reads their keys at once (~25 µs a bead). */
const syncClosedDefault = 2_000;
const closedWork: Where = { fields: { status: 'closed' }, not: { type: notWork } };
const finishedRequests: Where = { fields: { type: 'merge_request', status: 'closed' } };

/** The lane's finished order (src/refinery/status.ts): updated_at newest first, then id newest first. */
function byRecentlyFinished(a: Bead, b: Bead): number {
  return b.updated_at.localeCompare(a.updated_at) || b.id.localeCompare(a.id);
}

/** A closed work bead as the filter reads it: its filter key and its place in the closed order. */
interface ClosedEntry {
  readonly id: string;
  readonly key: FilterKey;
  /** closed_at, else updated_at: the recently closed order's key (newest first, then id). */
  readonly at: string;
}

const closedEntry = (bead: Bead): ClosedEntry => ({ id: bead.id, key: filterKey(bead), at: bead.closed_at ?? bead.updated_at ?? '' });
const byEntry = (a: ClosedEntry, b: ClosedEntry): number => (a.at > b.at ? -1 : a.at < b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Every closed work bead, in parts of a few thousand rows (one type and priority each), so the
 * list of them the filter searches is read in the background a part per turn of the event loop.
 */
function closedParts(): Where[] {
  const work = BEAD_TYPES.filter((t) => !notWork.includes(t));
  const priorities = [0, 1, 2, 3, 4];
  const parts: Where[] = [];
  for (const type of work) {
    for (const priority of priorities) parts.push({ fields: { status: 'closed', type, priority } });
    parts.push({ fields: { status: 'closed', type }, not: { priority: priorities } });
  }
  parts.push({ fields: { status: 'closed' }, not: { type: [...work, ...notWork] } });
  return parts;
}
function isFinished(mr: Bead): boolean {
  const state = (mr as MergeRequestView).state;
  return state === 'merged' || state === 'rejected';
}

/** Puts `bead` into the sorted `list` (at most `keep` long) where `order` says; false when it falls off the end. */
function insertSorted(list: Bead[], bead: Bead, order: (a: Bead, b: Bead) => number, keep: number): void {
  let at = list.length;
  while (at > 0 && order(bead, list[at - 1]!) < 0) at--;
  if (at >= keep) return;
  list.splice(at, 0, bead);
  if (list.length > keep) list.length = keep;
}

function removeId(list: Bead[], id: string): boolean {
  const at = list.findIndex((b) => b.id === id);
  if (at < 0) return false;
  list.splice(at, 1);
  return true;
}

/**
 * The town as the workstation reads it through the journal's query index (issue 18): not every
 * bead, but the working set — the open work beads (every one: the board groups them), the
 * newest closed ones and the closed count, the mail to and from the person at the keyboard, the
 * merge requests in the lane and the newest finished ones — loaded with a few indexed queries,
 * then kept current from the journal's tail (the records after the seq it stands at), never
 * reloaded whole. Single beads (a closed need, a bead's details) are read by id on demand.
 *
 * `read` gives the journal's current view; `open` returns undefined when that view is not backed
 * by the index (no SQLite, or the handle holds the state in memory): the caller then reads the
 * whole state as before.
 */
export class TownIndex {
  private readonly open = new Map<string, Bead>();
  private closedTop: Bead[] = [];
  private closedTotal = 0;
  private readonly mail = new Map<string, Bead>();
  private readonly requests = new Map<string, Bead>();
  private finished: Bead[] = [];
  /** Beads read by id (needs, parents outside the working set): null when there is none. */
  private readonly outside = new Map<string, Bead | null>();
  private readonly parents = new Map<string, boolean>();
  private readonly filtered = new Map<string, { total: number; beads: readonly BeadView[] }>();
  /**
   * Every closed work bead's filter key (the board's closed group under a filter searches these,
   * not the index: ~40k at 100k beads), read when a filter first needs them — at once in a small
   * town, else a part per turn of the event loop by {@link warm} while the board shows the
   * closed group as pending — then kept current from the tail like the rest. `closedTodo` is the
   * parts not read yet (undefined: not asked for yet).
   */
  private closedAll = new Map<string, ClosedEntry>();
  private closedTodo: Where[] | undefined;
  /** Told when the closed beads' keys are wanted and must be read in the background (the feed calls {@link warm}). */
  onPending: (() => void) | undefined;
  private parts: { beads: BeadView[]; mail: MailView[]; mergeRequests: MergeRequestView[] } | undefined;
  /** What the panels are handed: a new object after every change (their memo key). */
  private town: IndexedTown;

  private constructor(
    private readonly read: () => StateView,
    private readonly me: string,
    /** Up to this many closed work beads, a filter reads their keys at once (no pending group). */
    private readonly syncClosed: number,
  ) {
    this.town = this.indexed();
  }

  /** Loads the working set through `view`'s index; undefined when it has none. */
  static open(view: StateView, read: () => StateView, me: string, options: { syncClosed?: number } = {}): TownIndex | undefined {
    const queries = queriesOf(view.all(BEAD_KIND));
    if (!queries) return undefined;
    const index = new TownIndex(read, me, options.syncClosed ?? syncClosedDefault);
    index.load(queries);
    return index;
  }

  /** True once the journal's views are no longer backed by the index: the feed then reads the whole state. */
  gone = false;

  private queries(): EntityQueries | undefined {
    const queries = queriesOf(this.read().all(BEAD_KIND));
    if (!queries) this.gone = true;
    return queries;
  }

  private load(queries: EntityQueries): void {
    this.open.clear();
    for (const bead of queries.iterate({ fields: { status: openStatuses }, not: { type: notWork } }) as Iterable<Bead>) this.open.set(bead.id, bead);
    this.loadClosed(queries);
    this.mail.clear();
    for (const bead of queries.iterate({ fields: { type: 'message', to: [this.me, EVERYONE] } }) as Iterable<Bead>) this.mail.set(bead.id, bead);
    this.requests.clear();
    for (const bead of queries.iterate({ fields: { type: 'merge_request', status: openStatuses } }) as Iterable<Bead>) this.requests.set(bead.id, bead);
    this.loadFinished(queries);
    this.outside.clear();
    this.parents.clear();
    this.closedAll = new Map();
    this.closedTodo = undefined;
    this.changed();
  }

  /**
   * Reads one more part of the closed beads' filter keys; true while parts remain (the feed calls
   * it again on the next turn of the event loop). After the last part the town changes (the
   * board's pending closed group is grouped anew).
   */
  warm(): boolean {
    const part = this.closedTodo?.shift();
    if (!part) return false;
    const queries = this.queries();
    if (!queries) {
      this.closedTodo = [];
      return false;
    }
    for (const bead of queries.iterate(part) as Iterable<Bead>) this.closedAll.set(bead.id, closedEntry(bead));
    if (this.closedTodo!.length) return true;
    // Only the closed groups under filters change: the working set's lists stay the same objects.
    this.filtered.clear();
    this.town = this.indexed();
    return false;
  }

  private loadClosed(queries: EntityQueries): void {
    this.closedTotal = queries.count(closedWork);
    // The closed index walked from its newest end (a closed bead has its closed_at; the count is
    // the index's counts table): two short reads, not a sort of every closed row.
    this.closedTop = (queries.find(closedWork, 'closed-newest', closedKept) as Bead[]).sort(byRecentlyClosed);
  }

  private loadFinished(queries: EntityQueries): void {
    this.finished = (queries.latest(finishedRequests, ['updated_at'], finishedKept) as Bead[]).filter(isFinished).sort(byRecentlyFinished);
  }

  private changed(): void {
    this.parts = undefined;
    this.filtered.clear();
    this.town = this.indexed();
  }

  /**
   * Applies the journal's records after the seq this index stood at (the feed reads them anyway
   * for the activity list). A long tail loads the working set again instead.
   */
  apply(records: readonly JournalRecord[]): void {
    if (!records.length) return;
    if (records.length > reloadAfter) {
      const queries = this.queries();
      if (queries) this.load(queries);
      return;
    }
    let closedStale = false;
    let finishedStale = false;
    let touched = false;
    for (const record of records) {
      if (record.kind !== BEAD_KIND) continue;
      touched = true;
      const id = record.id;
      const bead = record.deleted ? undefined : (record.entity as unknown as Bead | undefined);
      if (this.outside.has(id)) this.outside.set(id, bead ?? null);
      if (!bead) {
        // A tombstone: what it was is not known here, so the counts are read again.
        this.closedAll.delete(id);
        this.parents.clear();
        const wasOpen = this.open.delete(id);
        this.mail.delete(id);
        this.requests.delete(id);
        if (!wasOpen) closedStale = true;
        if (removeId(this.finished, id)) finishedStale = true;
        removeId(this.closedTop, id);
        continue;
      }
      if (bead.parent) this.parents.set(bead.parent, true);
      if (isMessage(bead)) {
        if (bead.to === this.me || bead.to === EVERYONE) this.mail.set(id, bead);
        else this.mail.delete(id);
        continue;
      }
      if (isMergeRequest(bead)) {
        if (removeId(this.finished, id) && bead.status !== 'closed') finishedStale = true;
        if (bead.status !== 'closed') this.requests.set(id, bead);
        else {
          this.requests.delete(id);
          if (isFinished(bead)) insertSorted(this.finished, bead, byRecentlyFinished, finishedKept);
        }
        continue;
      }
      const wasOpen = this.open.delete(id);
      const wasTop = removeId(this.closedTop, id);
      if (bead.status === 'closed') this.closedAll.set(id, closedEntry(bead));
      else this.closedAll.delete(id);
      if (bead.status === 'closed') {
        // Closing an open bead is the common case; anything else (a closed bead edited, created
        // or imported closed) is counted again by the index.
        if (wasOpen) this.closedTotal++;
        else closedStale = true;
        insertSorted(this.closedTop, bead, byRecentlyClosed, closedKept);
      } else {
        this.open.set(id, bead);
        if (wasTop || (!wasOpen && record.action !== 'create')) closedStale = true; // reopened
      }
    }
    if (!touched) return;
    const queries = closedStale || finishedStale ? this.queries() : undefined;
    if (queries && closedStale) this.loadClosed(queries);
    if (queries && finishedStale) this.loadFinished(queries);
    this.changed();
  }

  /** The snapshot's bead lists: the working set, in the shapes the panels read. */
  snapshotParts(): { beads: BeadView[]; mail: MailView[]; mergeRequests: MergeRequestView[]; index: IndexedTown } {
    this.parts ??= {
      beads: [...this.open.values(), ...this.closedTop.slice(0, recentClosedLimit)],
      mail: [...this.mail.values()] as MailView[],
      mergeRequests: [...this.requests.values(), ...this.finished.filter((b) => !this.requests.has(b.id)).slice(0, finishedLimit)] as MergeRequestView[],
    };
    return { ...this.parts, index: this.town };
  }

  /** One bead by id: from the working set, else one indexed row (remembered until it changes). */
  bead(id: string): Bead | undefined {
    const known = this.open.get(id) ?? this.requests.get(id) ?? this.mail.get(id);
    if (known) return known;
    if (this.outside.has(id)) return this.outside.get(id) ?? undefined;
    const bead = this.read().get(BEAD_KIND, id) as Bead | undefined;
    this.outside.set(id, bead ?? null);
    return bead;
  }

  private hasChildren(id: string): boolean {
    let known = this.parents.get(id);
    if (known === undefined) {
      const queries = this.queries();
      if (!queries) return false;
      known = queries.exists({ fields: { parent: id }, not: { type: notWork } });
      this.parents.set(id, known);
    }
    return known;
  }

  private closed(filter: BoardFilter, limit: number): { total: number; beads: readonly BeadView[]; pending?: boolean } {
    if (isEmptyFilter(filter)) return { total: this.closedTotal, beads: this.closedTop.slice(0, limit) };
    const key = JSON.stringify(filter);
    let found = this.filtered.get(key);
    if (!found) {
      if (this.closedTodo === undefined) {
        this.closedTodo = closedParts();
        if (this.closedTotal > this.syncClosed) this.onPending?.();
      }
      if (this.closedTodo.length) {
        // Not read yet: at once in a small town; in a big one the group is pending until `warm` is done.
        if (this.closedTotal > this.syncClosed && this.onPending) return { total: 0, beads: [], pending: true };
        while (this.warm());
      }
      const top: ClosedEntry[] = [];
      let total = 0;
      for (const entry of this.closedAll.values()) {
        if (!keyMatches(entry.key, filter)) continue;
        total++;
        if (top.length === limit && byEntry(entry, top[limit - 1]!) >= 0) continue;
        let at = top.length;
        while (at > 0 && byEntry(entry, top[at - 1]!) < 0) at--;
        top.splice(at, 0, entry);
        if (top.length > limit) top.length = limit;
      }
      const beads = top.map((entry) => this.bead(entry.id)).filter((bead): bead is Bead => bead !== undefined);
      found = { total, beads };
      this.filtered.set(key, found);
    }
    return found;
  }

  /** The beads a bead's details mention: what it needs, what needs it, its children. */
  private related(id: string): BeadView[] {
    const self = this.bead(id);
    const out = new Map<string, Bead>();
    for (const need of self?.needs ?? []) {
      const bead = this.bead(need);
      if (bead) out.set(bead.id, bead);
    }
    const queries = this.queries();
    for (const bead of (queries?.iterate({ has: { field: 'needs', value: id } }) ?? []) as Iterable<Bead>) out.set(bead.id, bead);
    for (const bead of (queries?.iterate({ fields: { parent: id } }) ?? []) as Iterable<Bead>) out.set(bead.id, bead);
    return [...out.values()];
  }

  private indexed(): IndexedTown {
    const board: BoardContext = {
      lookup: (id) => this.bead(id),
      hasChildren: (id) => this.hasChildren(id),
      closed: (filter, limit) => this.closed(filter, limit),
    };
    return {
      board,
      bead: (id) => this.bead(id),
      related: (id) => this.related(id),
      children: (id) => (this.queries()?.find({ fields: { parent: id } }) ?? []) as Bead[],
      thread: (id) => {
        const beads = this.read().all(BEAD_KIND) as ReadonlyMap<string, Bead>;
        // Never a walk over every bead (threadOf's path without the index).
        return queriesOf(beads) ? (threadOf(beads, id) as MailView[]) : [...this.mail.values()].filter((m) => (m as MailView).thread === id || m.id === id) as MailView[];
      },
    };
  }
}
