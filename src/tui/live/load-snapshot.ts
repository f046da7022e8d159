import type { JournalRecord, StateView } from '../../journal/types.js';
import { BEAD_KIND, isMergeRequest, isMessage, type Bead } from '../../model/bead.js';
import type { BeadView, EventView, MailView, MergeRequestView, MoleculeChoice, TownSnapshot } from '../state/types.js';

/** How many journal events the activity feed keeps. */
export const feedLength = 200;

/** A journal record as the feed and the history show it. */
export function eventOf(record: JournalRecord): EventView {
  const entity = record.entity as { title?: unknown; subject?: unknown } | undefined;
  const title = typeof entity?.subject === 'string' ? entity.subject : typeof entity?.title === 'string' ? entity.title : undefined;
  return { seq: record.seq, ts: record.ts, writer: record.writer, action: record.action, kind: record.kind, id: record.id, summary: record.summary, title };
}

/** What the snapshot is read with, besides the journal's state. */
export interface SnapshotInputs {
  readonly town: string;
  readonly me: string;
  readonly events: readonly EventView[];
  readonly polecats: TownSnapshot['polecats'];
  readonly presets: readonly string[];
  readonly molecules: readonly MoleculeChoice[];
  readonly gateTail: readonly string[];
  readonly scheduler?: TownSnapshot['scheduler'];
}

/**
 * Sorts the journal's beads into what the panels read: work beads, mail, merge requests.
 * One pass over the beads; the entities are used as they are (no copies), so a 10k-bead read
 * costs one Map walk.
 */
export function snapshotOf(state: StateView, inputs: SnapshotInputs): TownSnapshot {
  const beads: BeadView[] = [];
  const mail: MailView[] = [];
  const mergeRequests: MergeRequestView[] = [];
  for (const entity of state.all(BEAD_KIND).values()) {
    // The one cast, at the journal's boundary; the union's `type` does the rest.
    const bead = entity as unknown as Bead;
    if (isMessage(bead)) mail.push(bead);
    else if (isMergeRequest(bead)) mergeRequests.push(bead);
    else beads.push(bead);
  }
  return { ...inputs, seq: state.seq, beads, mail, mergeRequests };
}

/** Appends new events to the feed's window, keeping the newest `feedLength`. */
export function appendEvents(events: readonly EventView[], records: Iterable<JournalRecord>): EventView[] {
  const out = events.slice();
  for (const record of records) out.push(eventOf(record));
  return out.length > feedLength ? out.slice(out.length - feedLength) : out;
}
