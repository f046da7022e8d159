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
}

/** `reader`'s inbox, newest first. */
export function inbox(beads: ReadonlyMap<string, Bead>, reader: string, options: InboxOptions = {}): Bead[] {
  const found: Bead[] = [];
  const queries = queriesOf(beads);
  // Through the query index: only the messages to the reader and to everyone.
  const candidates = queries
    ? (queries.iterate({ fields: { type: 'message', to: [reader, EVERYONE] }, ...(options.unread ? { lacks: { field: 'read_by' as const, value: reader } } : {}) }) as Iterable<Bead>)
    : beads.values();
  for (const bead of candidates) {
    if (!isAddressedTo(bead, reader)) continue;
    if (options.unread && !isUnread(bead, reader)) continue;
    found.push(bead);
  }
  return found.sort(newestFirst);
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
