import { queriesOf, type EntityQueries } from '../journal/query-index.js';
import { isWork, type Bead } from './bead.js';
import { compareAge, idOrderKey } from './order.js';
import { deferredUntil, fullResource, resourceHolders, type ScheduledBead } from './schedule.js';

/**
 * The ready queue (docs/model.md, "The ready rule"): the work a polecat may start now.
 *
 * A bead is ready when it is work (not mail, not a merge request, not an epic that has
 * children: an epic is finished by its children), its status is `open`, nobody has claimed
 * it, every bead it `needs` is closed (a need that does not exist counts as open), and no
 * ancestor (parent, its parent, …) is blocked. A bead is *blocked* when its status is
 * `blocked` or one of its needs is not closed. Scheduling (docs/scheduler.md): a bead deferred
 * (`defer_until`) past `now` is not ready, nor one that uses a resource with no free slot
 * (fewer beads in progress that use it than its capacity).
 *
 * Order: priority (0 first), then age (oldest first), then id, so the order is total.
 */

export interface ReadyOptions {
  /** At most this many beads (all when omitted). */
  readonly limit?: number;
  /** The clock for deferred beads, epoch ms (default: now). */
  readonly now?: number;
}

/** The needs of `bead` that are not closed (missing ones included), in its order. */
export function openNeeds(bead: Bead, beads: ReadonlyMap<string, Bead>): string[] {
  return bead.needs.filter((id) => beads.get(id)?.status !== 'closed');
}

/** True when `bead` is blocked: status `blocked`, or waiting on a need that is not closed. */
export function isBlocked(bead: Bead, beads: ReadonlyMap<string, Bead>): boolean {
  return bead.status === 'blocked' || bead.needs.some((id) => beads.get(id)?.status !== 'closed');
}

/** The nearest blocked ancestor of `bead` (parent, grandparent, …), or undefined. */
export function blockedAncestor(bead: Bead, beads: ReadonlyMap<string, Bead>): Bead | undefined {
  const seen = new Set<string>([bead.id]);
  for (let id = bead.parent; id !== null && !seen.has(id); ) {
    seen.add(id);
    const ancestor = beads.get(id);
    if (!ancestor) return undefined;
    if (isBlocked(ancestor, beads)) return ancestor;
    id = ancestor.parent;
  }
  return undefined;
}

/** Ids of the beads that have at least one child. */
export function parentIds(beads: ReadonlyMap<string, Bead>): Set<string> {
  const parents = new Set<string>();
  for (const bead of beads.values()) if (bead.parent !== null) parents.add(bead.parent);
  return parents;
}

/**
 * Why `bead` is not ready, as one human line, or null when it is ready. The same rule as
 * {@link readyQueue}, one bead at a time (for `bead show`).
 */
export function whyNotReady(bead: Bead, beads: ReadonlyMap<string, Bead>, parents?: ReadonlySet<string>, now: number = Date.now()): string | null {
  if (!isWork(bead)) return `a ${bead.type.replace('_', ' ')} is not work`;
  const queries = queriesOf(beads);
  const hasChildren = parents ? parents.has(bead.id) : queries ? queries.exists({ fields: { parent: bead.id } }) : parentIds(beads).has(bead.id);
  if (bead.type === 'epic' && hasChildren) return 'an epic is finished by its children';
  if (bead.status !== 'open') return `it is ${bead.status.replace('_', ' ')}`;
  if (bead.assignee) return `it is claimed by ${bead.assignee}`;
  const waiting = openNeeds(bead, beads);
  if (waiting.length > 0) return `it needs ${waiting.join(', ')} closed first`;
  const ancestor = blockedAncestor(bead, beads);
  if (ancestor) return `its parent ${ancestor.id} is blocked`;
  const until = deferredUntil(bead);
  if (until !== undefined && until > now) return `it is deferred until ${(bead as ScheduledBead).defer_until}`;
  const full = queries && !queries.anyList('uses') ? undefined : fullResource(bead, beads, resourceHolders(beads));
  if (full) return full.why;
  return null;
}

/** Sort order of the queue: priority, then age, then id. */
export function compareReady(a: Bead, b: Bead): number {
  return a.priority - b.priority || compareAge(a, b);
}

/** The ready queue of `beads` (every bead of the town, by id), best first. */
export function readyQueue(beads: ReadonlyMap<string, Bead>, options: ReadyOptions = {}): Bead[] {
  // Through the journal's query index (a cold process on a big town): only the candidates are read.
  const queries = queriesOf(beads);
  if (queries && !queries.anyList('uses')) return readyFromIndex(beads, queries, options);
  // One pass over the town (this runs in a fresh process on every `citadel ready`, mostly
  // before the JIT warms up, so passes and callbacks are what cost): collect the candidates
  // and which beads have children; epics with children are dropped afterwards.
  const parents = new Set<string>();
  const candidates: Bead[] = [];
  const now = options.now ?? Date.now();
  let usesResources = false;
  for (const bead of beads.values()) {
    if (bead.parent !== null) parents.add(bead.parent);
    if ((bead as ScheduledBead).uses !== undefined) usesResources = true;
    if (bead.status !== 'open' || bead.assignee || bead.type === 'message' || bead.type === 'merge_request' || bead.type === 'resource') continue;
    if ((bead as ScheduledBead).defer_until && (deferredUntil(bead) ?? 0) > now) continue;
    let waiting = false;
    for (const id of bead.needs) {
      if (beads.get(id)?.status !== 'closed') {
        waiting = true;
        break;
      }
    }
    if (!waiting) candidates.push(bead);
  }
  const chainBlocked = ancestorBlockedMemo(beads);
  // Sort on one precomputed text key per bead (priority, age, id): the engine's own string
  // sort, no comparator calls. created_at is ISO-8601 UTC of fixed width, so text order is age.
  const byKey = new Map<string, Bead>();
  // Who holds which resource: only towns with scheduled beads pay for it.
  const holders = usesResources ? resourceHolders(beads) : undefined;
  for (const bead of candidates) {
    if (bead.type === 'epic' && parents.has(bead.id)) continue;
    if (holders && fullResource(bead, beads, holders)) continue;
    if (bead.parent !== null && chainBlocked(bead.parent, new Set([bead.id]))) continue;
    byKey.set(`${bead.priority}\u0000${bead.created_at}\u0000${idOrderKey(bead.id)}`, bead);
  }
  const keys = [...byKey.keys()].sort();
  const count = options.limit === undefined ? keys.length : Math.min(keys.length, Math.max(0, options.limit));
  const ready: Bead[] = new Array<Bead>(count);
  for (let i = 0; i < count; i++) ready[i] = byKey.get(keys[i]!)!;
  return ready;
}

/**
 * {@link readyQueue} through the query index: the open, unclaimed work whose needs are all
 * closed, in order, read row by row until `limit` beads pass the rest of the rule (children of
 * an epic, blocked ancestors, deferral). Towns whose beads use resources take the full pass.
 */
/** Whether each ancestor is blocked, memoized: the queue stays linear on deep epics. */
function ancestorBlockedMemo(beads: ReadonlyMap<string, Bead>): (id: string | null, seen: Set<string>) => boolean {
  const ancestorBlocked = new Map<string, boolean>();
  const chainBlocked = (id: string | null, seen: Set<string>): boolean => {
    if (id === null) return false;
    const known = ancestorBlocked.get(id);
    if (known !== undefined) return known;
    const bead = beads.get(id);
    if (!bead || seen.has(id)) return false;
    seen.add(id);
    const blocked = isBlocked(bead, beads) || chainBlocked(bead.parent, seen);
    ancestorBlocked.set(id, blocked);
    return blocked;
  };
  return chainBlocked;
}

function readyFromIndex(beads: ReadonlyMap<string, Bead>, queries: EntityQueries, options: ReadyOptions): Bead[] {
  const now = options.now ?? Date.now();
  const limit = options.limit === undefined ? Infinity : Math.max(0, options.limit);
  const chainBlocked = ancestorBlockedMemo(beads);
  const found: Bead[] = [];
  let last: Bead | undefined;
  for (const entity of queries.openWithClosedNeeds(['message', 'merge_request', 'resource'])) {
    const bead = entity as Bead;
    // Past the limit, only beads tied with the last one (same priority and age) can still sort before it.
    if (found.length >= limit && last && (bead.priority !== last.priority || bead.created_at !== last.created_at)) break;
    if ((bead as ScheduledBead).defer_until && (deferredUntil(bead) ?? 0) > now) continue;
    if (bead.type === 'epic' && queries.exists({ fields: { parent: bead.id } })) continue;
    if (bead.parent !== null && chainBlocked(bead.parent, new Set([bead.id]))) continue;
    found.push(bead);
    last = bead;
  }
  const keyed = found.map((bead) => [`${bead.priority}\u0000${bead.created_at}\u0000${idOrderKey(bead.id)}`, bead] as const);
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return keyed.slice(0, limit === Infinity ? keyed.length : limit).map(([, bead]) => bead);
}
