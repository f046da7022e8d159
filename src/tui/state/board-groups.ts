import { isEmptyFilter, matchesFilter, noFilter, type BoardFilter } from './board-filter.js';
import type { BeadView } from './types.js';

/** The board's sections, in the order they are shown. */
export type BoardGroup = 'ready' | 'working' | 'blocked' | 'closed';

export const groupTitles: Record<BoardGroup, string> = {
  ready: 'Ready',
  working: 'In progress',
  blocked: 'Blocked',
  closed: 'Recently closed',
};

/** One line of the board: a section header or a bead. */
export type BoardRow =
  | { readonly kind: 'header'; readonly group: BoardGroup; readonly count: number; readonly pending?: boolean }
  | { readonly kind: 'bead'; readonly group: BoardGroup; readonly bead: BeadView; readonly blockers: readonly string[] };

/** The grouped board: rows to draw, and the selectable bead ids in row order. */
export interface BoardLayout {
  readonly rows: readonly BoardRow[];
  /** Bead ids in display order (what the selection moves through). */
  readonly order: readonly string[];
  /** `order[i]`'s index in `rows`. */
  readonly rowOf: readonly number[];
  readonly counts: Readonly<Record<BoardGroup, number>>;
}

/**
 * What the board needs of the town beyond the beads it is given, when those are only the
 * working set (the open beads and the recently closed ones) read through the journal's query
 * index (src/tui/live/town-index.ts) rather than every bead of the town.
 */
export interface BoardContext {
  /** A bead not among those given (a closed need, a closed parent), or undefined when there is none. */
  lookup(id: string): BeadView | undefined;
  /** Whether some work bead has `id` as its parent (closed children count). */
  hasChildren(id: string): boolean;
  /**
   * The closed beads passing `filter`: how many, and the newest `limit` (by closed_at, then
   * updated_at; then id); `pending` while they are still being read (the group then shows as
   * such, and the context's town changes when they are there).
   */
  closed(filter: BoardFilter, limit: number): { readonly total: number; readonly beads: readonly BeadView[]; readonly pending?: boolean };
}

/** How many closed beads the board keeps in view. */
export const recentClosedLimit = 20;

/** Priority first (0 is most urgent), then oldest first, then id: the ready queue's order. */
export function byPriorityThenAge(a: BeadView, b: BeadView): number {
  return a.priority - b.priority || cmp(a.created_at, b.created_at) || cmp(a.id, b.id);
}

/** The recently closed order: closed_at (else updated_at) newest first, then id. */
export function byRecentlyClosed(a: BeadView, b: BeadView): number {
  return cmp(b.closed_at ?? b.updated_at ?? '', a.closed_at ?? a.updated_at ?? '') || cmp(a.id, b.id);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The ids among a bead's `needs` that are not closed yet (a missing bead counts as open). */
export function openBlockers(bead: BeadView, byId: ReadonlyMap<string, BeadView>, context?: BoardContext): string[] {
  const blockers: string[] = [];
  for (const need of bead.needs ?? []) {
    if ((byId.get(need) ?? context?.lookup(need))?.status !== 'closed') blockers.push(need);
  }
  return blockers;
}

/**
 * Sorts the work beads into the board's sections, by the model's ready rule (docs/model.md):
 * ready (open, unclaimed, every need closed, no blocked ancestor, not an epic with children;
 * priority then age), in progress (claimed, in_progress, or an epic whose children are under
 * way), blocked (explicitly, by an open need, or by a blocked parent; with what blocks it),
 * recently closed (newest first). Pure; callers memoize it
 * on the bead list's identity and the filter, so moving the selection never regroups.
 */
export function groupBoard(beads: readonly BeadView[], filter: BoardFilter, context?: BoardContext): BoardLayout {
  // The status bar's counts and the board group the same beads unfiltered: once; and with a
  // filter set, the unfiltered grouping (the counts) and the filtered one are both kept.
  const key = JSON.stringify(filter);
  const known = grouped.get(key);
  if (known && known.beads === beads && known.context === context) return known.layout;
  const layout = groupBoardOnce(beads, filter, context);
  grouped.delete(key);
  grouped.set(key, { beads, context, layout });
  if (grouped.size > 4) grouped.delete(grouped.keys().next().value!);
  return layout;
}

/** The last groupings by filter (a few: the newest last). */
const grouped = new Map<string, { beads: readonly BeadView[]; context: BoardContext | undefined; layout: BoardLayout }>();

function groupBoardOnce(beads: readonly BeadView[], filter: BoardFilter, context?: BoardContext): BoardLayout {
  if (!isEmptyFilter(filter)) return filterBoard(groupBoard(beads, noFilter, context), beads, filter, context);
  const byId = new Map<string, BeadView>();
  const children = new Map<string, number>();
  for (const bead of beads) {
    byId.set(bead.id, bead);
    if (bead.parent) children.set(bead.parent, (children.get(bead.parent) ?? 0) + 1);
  }
  // Whether a bead or one of its ancestors is blocked, memoized (the model's ready rule).
  const blockedMemo = new Map<string, boolean>();
  const chainBlocked = (id: string | null | undefined, depth: number): boolean => {
    if (!id || depth > 64) return false;
    const known = blockedMemo.get(id);
    if (known !== undefined) return known;
    const bead = byId.get(id) ?? context?.lookup(id);
    if (!bead) return false;
    blockedMemo.set(id, false); // a parent cycle ends here
    const blocked = bead.status === 'blocked' || openBlockers(bead, byId, context).length > 0 || chainBlocked(bead.parent, depth + 1);
    blockedMemo.set(id, blocked);
    return blocked;
  };
  const groups: Record<BoardGroup, { bead: BeadView; blockers: string[] }[]> = { ready: [], working: [], blocked: [], closed: [] };
  for (const bead of beads) {
    if (bead.status === 'closed') {
      // With a context, the closed group comes from it (the beads given hold only the newest).
      if (!context) groups.closed.push({ bead, blockers: [] });
      continue;
    }
    const blockers = openBlockers(bead, byId, context);
    if (bead.status === 'in_progress' || (bead.assignee && bead.status === 'open' && !blockers.length)) {
      groups.working.push({ bead, blockers });
    } else if (bead.status === 'blocked' || blockers.length) {
      groups.blocked.push({ bead, blockers });
    } else if (chainBlocked(bead.parent, 0)) {
      groups.blocked.push({ bead, blockers: [`parent ${bead.parent ?? ''}`] });
    } else if (bead.type === 'epic' && (children.has(bead.id) || context?.hasChildren(bead.id))) {
      // An epic with children is finished by them: in progress while they are.
      groups.working.push({ bead, blockers: [] });
    } else {
      groups.ready.push({ bead, blockers });
    }
  }
  groups.ready.sort((a, b) => byPriorityThenAge(a.bead, b.bead));
  groups.working.sort((a, b) => byPriorityThenAge(a.bead, b.bead));
  groups.blocked.sort((a, b) => byPriorityThenAge(a.bead, b.bead));
  let closedTotal: number;
  let closedPending = false;
  if (context) {
    const closed = context.closed(filter, recentClosedLimit);
    closedTotal = closed.total;
    closedPending = closed.pending === true;
    groups.closed.push(...closed.beads.map((bead) => ({ bead, blockers: [] })));
  } else {
    groups.closed.sort((a, b) => byRecentlyClosed(a.bead, b.bead));
    closedTotal = groups.closed.length;
    groups.closed.length = Math.min(closedTotal, recentClosedLimit);
  }

  return layoutOf(groups, closedTotal, closedPending);
}

/** The board's rows from its groups (each in order). */
function layoutOf(groups: Record<BoardGroup, readonly { bead: BeadView; blockers: readonly string[] }[]>, closedTotal: number, closedPending: boolean): BoardLayout {
  const rows: BoardRow[] = [];
  const order: string[] = [];
  const rowOf: number[] = [];
  for (const group of ['ready', 'working', 'blocked', 'closed'] as const) {
    rows.push({ kind: 'header', group, count: group === 'closed' ? closedTotal : groups[group].length, ...(group === 'closed' && closedPending ? { pending: true } : {}) });
    for (const { bead, blockers } of groups[group]) {
      order.push(bead.id);
      rowOf.push(rows.length);
      rows.push({ kind: 'bead', group, bead, blockers });
    }
  }
  return {
    rows,
    order,
    rowOf,
    counts: { ready: groups.ready.length, working: groups.working.length, blocked: groups.blocked.length, closed: closedTotal },
  };
}

/**
 * The board under a filter, from the unfiltered one: a filter only leaves beads out — which
 * group a bead is in and what blocks it are read from every bead either way — so the open groups
 * are the unfiltered rows that pass it, in the same order (a pass over remembered lowercase keys,
 * board-filter.ts, instead of grouping again). The closed group is the context's, or every
 * closed bead given that passes.
 */
function filterBoard(base: BoardLayout, beads: readonly BeadView[], filter: BoardFilter, context?: BoardContext): BoardLayout {
  const groups: Record<BoardGroup, { bead: BeadView; blockers: readonly string[] }[]> = { ready: [], working: [], blocked: [], closed: [] };
  for (const row of base.rows) {
    if (row.kind === 'bead' && row.group !== 'closed' && matchesFilter(row.bead, filter)) groups[row.group].push(row);
  }
  if (context) {
    const closed = context.closed(filter, recentClosedLimit);
    groups.closed = closed.beads.map((bead) => ({ bead, blockers: [] }));
    return layoutOf(groups, closed.total, closed.pending === true);
  }
  const closed = beads.filter((bead) => bead.status === 'closed' && matchesFilter(bead, filter)).sort(byRecentlyClosed);
  groups.closed = closed.slice(0, recentClosedLimit).map((bead) => ({ bead, blockers: [] }));
  return layoutOf(groups, closed.length, false);
}
