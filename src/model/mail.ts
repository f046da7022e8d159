import { queriesOf } from '../journal/query-index.js';
import { EVERYONE } from './address.js';
import type { Bead } from './bead.js';
import { compareAge } from './order.js';

/** True when `message` is in `reader`'s inbox: sent to them, or to @all by someone else. */
export function isAddressedTo(message: Bead, reader: string): boolean {
  if (message.type !== 'message') return false;
  return message.to === reader || (message.to === EVERYONE && message.from !== reader);
}

/** True when `reader` has not read `message` yet. */
export function isUnread(message: Bead, reader: string): boolean {
  return !(message.read_by ?? []).includes(reader);
}

export interface InboxOptions {
  /** Only the messages `reader` has not read. */
  readonly unread?: boolean;
  /** At most this many, the newest (all when omitted). */
  readonly limit?: number;
}

/**
 * `reader`'s inbox, newest first. Through the query index only the messages to the reader and
 * to everyone are read, newest first, and with a `limit` only until the page is full (a
 * polecat's inbox at 100k beads holds thousands).
 */
export function inbox(beads: ReadonlyMap<string, Bead>, reader: string, options: InboxOptions = {}): Bead[] {
  const limit = options.limit === undefined ? Infinity : Math.max(0, options.limit);
  const queries = queriesOf(beads);
  const found: Bead[] = [];
  if (queries) {
    // One query per address, each walking the (to, created_at) index newest first: one query
    // for both sorts every message of the town to find the newest (44 ms at 100k beads).
    const unread = options.unread ? { lacks: { field: 'read_by' as const, value: reader } } : {};
    for (const to of reader === EVERYONE ? [reader] : [reader, EVERYONE]) {
      let taken = 0;
      let last: Bead | undefined;
      for (const bead of queries.iterate({ fields: { type: 'message', to }, ...unread }, 'newest') as Iterable<Bead>) {
        // Past the page, only a message sent at the same instant as the last one taken can
        // still sort before it (ties are broken by id below).
        if (taken >= limit && last && bead.created_at !== last.created_at) break;
        if (!isAddressedTo(bead, reader)) continue;
        if (options.unread && !isUnread(bead, reader)) continue;
        found.push(bead);
        taken++;
        last = bead;
      }
    }
  } else {
    for (const bead of beads.values()) {
      if (!isAddressedTo(bead, reader)) continue;
      if (options.unread && !isUnread(bead, reader)) continue;
      found.push(bead);
    }
  }
  found.sort(newestFirst);
  return limit < found.length ? found.slice(0, limit) : found;
}

/**
 * How many messages `reader` has, and how many of them are unread (the {@link inbox} rule).
 * Through the query index the rows are counted, not read.
 */
export function inboxCounts(beads: ReadonlyMap<string, Bead>, reader: string): { total: number; unread: number } {
  const queries = queriesOf(beads);
  if (!queries) {
    const all = inbox(beads, reader);
    return { total: all.length, unread: all.filter((message) => isUnread(message, reader)).length };
  }
  // Unread = all − read: the read ones are found through the read_by refs (a seek each), where
  // "not read" would test every message of the inbox.
  const count = (to: string, read: boolean): number =>
    queries.count({ fields: { type: 'message', to }, ...(to === EVERYONE && reader !== EVERYONE ? { not: { from: [reader] } } : {}), ...(read ? { has: { field: 'read_by' as const, value: reader } } : {}) });
  const addresses = reader === EVERYONE ? [reader] : [reader, EVERYONE];
  const total = addresses.reduce((sum, to) => sum + count(to, false), 0);
  const read = addresses.reduce((sum, to) => sum + count(to, true), 0);
  return { total, unread: total - read };
}

/** The messages of a thread (by the thread's id), oldest first. */
export function threadOf(beads: ReadonlyMap<string, Bead>, thread: string): Bead[] {
  const found: Bead[] = [];
  const queries = queriesOf(beads);
  const candidates = queries
    ? [...(queries.iterate({ fields: { type: 'message', thread } }) as Iterable<Bead>), ...[beads.get(thread)].filter((b): b is Bead => b !== undefined && !(b as { thread?: unknown }).thread)]
    : beads.values();
  for (const bead of candidates) if (bead.type === 'message' && (bead.thread || bead.id) === thread) found.push(bead);
  return found.sort((a, b) => -newestFirst(a, b));
}

function newestFirst(a: Bead, b: Bead): number {
  return -compareAge(a, b);
}
