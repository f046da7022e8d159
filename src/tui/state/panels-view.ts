import { parseFilter } from './board-filter.js';
import { groupBoard, type BoardLayout } from './board-groups.js';
import { inboxFor } from './inbox-order.js';
import { laneOrder } from './lane-order.js';
import type { EventView, MailView, MergeRequestView, TownSnapshot } from './types.js';

/** What the panels draw, derived from a snapshot (and the board's filter). */
export interface PanelsView {
  readonly snapshot: TownSnapshot;
  /** The board as filtered. */
  readonly board: BoardLayout;
  readonly inbox: readonly MailView[];
  readonly inboxOrder: readonly string[];
  readonly lane: readonly MergeRequestView[];
  readonly laneOrder: readonly string[];
  /** Events newest first. */
  readonly feed: readonly EventView[];
  readonly feedOrder: readonly string[];
}

/**
 * Derives every panel's list. Each part depends on one input, so a caller memoizes them
 * separately: a keystroke changes none, a new snapshot some, a new filter
 * only the board.
 */
export function deriveBoard(snapshot: TownSnapshot, filter: string): BoardLayout {
  return groupBoard(snapshot.beads, parseFilter(filter), snapshot.index?.board);
}

export function deriveInbox(snapshot: TownSnapshot): { inbox: MailView[]; inboxOrder: string[] } {
  const inbox = inboxFor(snapshot.mail, snapshot.me);
  return { inbox, inboxOrder: inbox.map((m) => m.id) };
}

export function deriveLane(snapshot: TownSnapshot): { lane: MergeRequestView[]; laneOrder: string[] } {
  const lane = laneOrder(snapshot.mergeRequests);
  return { lane, laneOrder: lane.map((m) => m.id) };
}

export function deriveFeed(snapshot: TownSnapshot): { feed: EventView[]; feedOrder: string[] } {
  const feed = snapshot.events.slice().reverse();
  return { feed, feedOrder: feed.map((e) => String(e.seq)) };
}

/** All of it at once (tests, benchmarks). */
export function deriveView(snapshot: TownSnapshot, filter: string): PanelsView {
  return { snapshot, board: deriveBoard(snapshot, filter), ...deriveInbox(snapshot), ...deriveLane(snapshot), ...deriveFeed(snapshot) };
}
