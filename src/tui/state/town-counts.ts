import type { BoardLayout } from './board-groups.js';
import type { MailView, TownSnapshot } from './types.js';

/** The status bar's counts. */
export interface TownCounts {
  readonly ready: number;
  /** Beads in progress. */
  readonly working: number;
  /** Polecats waiting for input (the witness's "waiting"). */
  readonly waiting: number;
  /** Merge requests in the lane (queued, merging or testing). */
  readonly merging: number;
  /** Mail to the person at the keyboard that they have not read. */
  readonly unread: number;
}

/** Whether `me` has not read this message yet. */
export function isUnread(mail: MailView, me: string): boolean {
  return !(mail.read_by ?? []).includes(me);
}

/** Whether a message is addressed to `me` (directly or to everyone). */
export function isForMe(mail: MailView, me: string): boolean {
  return mail.to === me || mail.to === '@all';
}

/** Counts for the status bar, from a snapshot and its (unfiltered) board grouping. */
export function townCounts(snapshot: TownSnapshot, board: BoardLayout): TownCounts {
  let unread = 0;
  for (const mail of snapshot.mail) if (isForMe(mail, snapshot.me) && isUnread(mail, snapshot.me)) unread++;
  let merging = 0;
  for (const mr of snapshot.mergeRequests) if (mr.state === 'queued' || mr.state === 'merging' || mr.state === 'testing') merging++;
  const waiting = snapshot.polecats.filter((p) => p.status === 'waiting').length;
  return { ready: board.counts.ready, working: board.counts.working, waiting, merging, unread };
}
