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
  for (const bead of beads.values()) {
    if (!isAddressedTo(bead, reader)) continue;
    if (options.unread && !isUnread(bead, reader)) continue;
    found.push(bead);
  }
  return found.sort(newestFirst);
}

/** The messages of a thread (by the thread's id), oldest first. */
export function threadOf(beads: ReadonlyMap<string, Bead>, thread: string): Bead[] {
  const found: Bead[] = [];
  for (const bead of beads.values()) if (bead.type === 'message' && (bead.thread ?? bead.id) === thread) found.push(bead);
  return found.sort((a, b) => -newestFirst(a, b));
}

function newestFirst(a: Bead, b: Bead): number {
  return -compareAge(a, b);
}
