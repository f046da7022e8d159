import { join } from 'node:path';
import type { Town } from '../../town/town.js';
import type { EventView, MoleculeChoice, TownSnapshot } from '../state/types.js';
import { emptySnapshot } from '../state/types.js';
import { currentRequest } from '../state/lane-order.js';
import { tailLines } from './gate-tail.js';
import { appendEvents, eventOf, feedLength, snapshotOf } from './load-snapshot.js';
import { schedulerSummary } from './scheduler-summary.js';
import { TownIndex } from './town-index.js';
import { watchJournal, type JournalWatch } from './watch-journal.js';
import { entityRecordsIn, segmentsBefore } from './history-scan.js';
import type { SegmentRef } from '../../journal/segments.js';
import type { JournalRecord } from '../../journal/types.js';

/** How many lines of the current gate log the lane shows at most. */
const gateTailLines = 40;

/**
 * The town as the panels see it, kept current: a snapshot re-read whenever the journal moves
 * (chokidar on the journal directory — HEAD.json is rewritten by every mutation of any process
 * — or `refresh()` from a daemon notification), and the current merge request's gate log
 * tailed. Listeners are told after each new snapshot (useSyncExternalStore-shaped).
 */
export interface TownFeed {
  getSnapshot(): TownSnapshot;
  subscribe(listener: () => void): () => void;
  /** Re-reads if the journal moved (an O(1) check when it did not); also re-tails the gate log. */
  refresh(): void;
  /** The polecats and their witness status, from the daemon's pane list. */
  setPolecats(polecats: TownSnapshot['polecats']): void;
  /**
   * A bead's history, oldest first: at once what the journal's recent records hold; when the
   * bead is older than those, the rest is read backwards a segment at a time in the background and the
   * listeners are told when it is complete (a whole-journal scan would hold the keyboard for
   * seconds on a town of a million events).
   */
  history(id: string): EventView[];
  /** The details of `id` closed: its older history is no longer read (what was read is kept). */
  stopHistory(id: string): void;
  /** Resolves when the watcher is live. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export interface TownFeedOptions {
  readonly town: Town;
  /** The town's display name. */
  readonly name: string;
  readonly presets: readonly string[];
  readonly molecules: readonly MoleculeChoice[];
  /** Watch the journal with chokidar (default true); tests of the pure part turn it off. */
  readonly watch?: boolean | undefined;
  /** Called when a refresh fails (a corrupt journal): the panels keep their last snapshot. */
  readonly onError?: ((error: Error) => void) | undefined;
  /** Up to this many closed work beads a filter reads them at once (town-index.ts; tests set 0 to see the background path). */
  readonly syncClosed?: number | undefined;
}

export function createTownFeed(options: TownFeedOptions): TownFeed {
  const { town } = options;
  const listeners = new Set<() => void>();
  let polecats: TownSnapshot['polecats'] = [];
  let events: EventView[] = [];
  let lastSeq = -1;
  let gateTail: readonly string[] = [];
  let snapshot: TownSnapshot = { ...emptySnapshot, town: options.name, me: town.actor, presets: options.presets, molecules: options.molecules };
  // Through the journal's query index when it has one (issue 18): the working set, kept current
  // from the journal's tail; null once it cannot be used (the whole state is then read, as before).
  let indexed: TownIndex | null | undefined;

  const tellAll = (): void => {
    for (const listener of [...listeners]) listener();
  };

  const readGateTail = (next: TownSnapshot): readonly string[] => {
    const current = currentRequest(next.mergeRequests);
    if (!current) return [];
    const logged = current.refinery?.log;
    const file = typeof logged === 'string' ? join(town.paths.root, logged) : join(town.paths.logs, `${current.id}.log`);
    return tailLines(file, gateTailLines);
  };

  const sameLines = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((line, i) => line === b[i]);

  let closed = false;
  // The newest records' events as the feed read them (the history's first read comes from here, no I/O).
  let newest: EventView[] = [];
  const histories = historyReader(town, () => newest, () => {
    if (closed) return;
    snapshot = { ...snapshot };
    tellAll();
  });
  // The closed beads' filter keys, when a filter first needs them on a big town: a part per turn
  // of the event loop (town-index.ts `warm`), then the board's closed group is drawn.
  let warming: NodeJS.Timeout | undefined;
  const warm = (index: TownIndex): void => {
    if (warming) return;
    const next = (): void => {
      warming = setTimeout(() => {
        warming = undefined;
        if (closed || indexed !== index) return;
        try {
          if (index.warm()) next();
          else {
            snapshot = { ...snapshot, ...index.snapshotParts() };
            tellAll();
          }
        } catch (error) {
          options.onError?.(error as Error);
        }
      }, 0);
      warming.unref();
    };
    next();
  };
  /** What a refresh changed before it failed: put back, so its records are applied by the next one. */
  let failed: { lastSeq: number; events: EventView[]; newest: EventView[] } | undefined;
  const refresh = (): void => {
    if (closed) return;
    try {
      const state = town.journal.read();
      let next = snapshot;
      if (state.seq !== lastSeq) {
        const first = lastSeq < 0;
        const from = first ? Math.max(1, state.seq - feedLength + 1) : lastSeq + 1;
        // Up to the view's seq: a record written since is the next refresh's (read twice, it was listed twice).
        const records: JournalRecord[] = [];
        if (state.seq >= from) {
          for (const record of town.journal.records(from)) {
            if (record.seq > state.seq) break;
            records.push(record);
          }
        }
        // A refresh that fails below (an index busy under a writer, say) must not lose these
        // records: it is rolled back, and the index read again, so the next trigger applies them.
        failed = { lastSeq, events, newest };
        events = appendEvents(events, records);
        newest = [...newest, ...records.map(eventOf)];
        if (newest.length > historyTail) newest = newest.slice(newest.length - historyTail);
        lastSeq = state.seq;
        if (indexed === undefined) {
          indexed = TownIndex.open(state, () => town.journal.read(), town.actor, options.syncClosed === undefined ? {} : { syncClosed: options.syncClosed }) ?? null;
          if (indexed) {
            const index = indexed;
            index.onPending = () => warm(index);
          }
        }
        else if (indexed) indexed.apply(records);
        if (indexed?.gone) indexed = null;
        const scheduler = schedulerSummary(state, town.config.scheduler, Date.now());
        const inputs = { town: options.name, me: town.actor, events, polecats, presets: options.presets, molecules: options.molecules, gateTail, scheduler };
        next = indexed ? { ...inputs, seq: state.seq, ...indexed.snapshotParts() } : snapshotOf(state, inputs);
        failed = undefined;
      }
      const tail = readGateTail(next);
      if (!sameLines(tail, gateTail)) {
        gateTail = tail;
        next = { ...next, gateTail };
      }
      if (next !== snapshot) {
        snapshot = next;
        tellAll();
      }
    } catch (error) {
      if (failed) {
        ({ lastSeq, events, newest } = failed);
        failed = undefined;
        // The index may hold part of the batch: it is loaded again from the journal.
        if (indexed) indexed = undefined;
      }
      options.onError?.(error as Error);
    }
  };

  refresh();
  let watcher: JournalWatch | undefined;
  if (options.watch !== false) {
    watcher = watchJournal(town.paths.journal, refresh, { extra: [town.paths.logs] });
    // A change made while the watcher was starting raised no event: look once more when it is live.
    void watcher.ready.then(refresh);
  }

  return {
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh,
    setPolecats(next) {
      const same = next.length === polecats.length && next.every((p, i) => p.name === polecats[i]?.name && p.status === polecats[i]?.status && p.bead === polecats[i]?.bead);
      if (same) return;
      polecats = next;
      snapshot = { ...snapshot, polecats };
      tellAll();
    },
    history(id) {
      return histories.read(id);
    },
    stopHistory(id) {
      histories.stop(id);
    },
    ready: watcher?.ready ?? Promise.resolve(),
    async close() {
      closed = true;
      clearTimeout(warming);
      histories.stop();
      listeners.clear();
      await watcher?.close();
    },
  };
}

/** How many segments (~4,000 records each) a history reads back at most: ~240,000 records. */
const historySegments = 60;
/** How many of the newest events the feed keeps for the histories' first read. */
const historyTail = 5_000;

/**
 * Bead histories for the details view, remembered per bead and extended with new records. The
 * first read takes the newest events the feed has seen (no read of the journal); a bead created
 * before those gets the older ones in the background, one journal segment per turn of the event
 * loop, newest first, searched for the bead's id before anything is parsed (history-scan.ts: ~2 ms
 * a segment), until its `create` record, the first segment, or {@link historySegments} segments
 * (the journal has no index of records by entity: an older history is shown from where the
 * reading stopped). Only the open details' bead is read, and closing them stops it.
 */
function historyReader(town: Town, recent: () => readonly EventView[], done: () => void): { read(id: string): EventView[]; stop(id?: string): void } {
  const known = new Map<string, { events: EventView[]; upTo: number; from: number; segments: SegmentRef[] | undefined; read: number; complete: boolean }>();
  let reading: string | undefined;
  let scheduled = false;
  const step = (): void => {
    scheduled = false;
    const id = reading;
    const entry = id === undefined ? undefined : known.get(id);
    if (id === undefined || !entry || entry.complete) {
      reading = undefined;
      return;
    }
    try {
      entry.segments ??= segmentsBefore(town.paths.journal, entry.from);
      const segment = entry.segments.shift();
      if (!segment) entry.complete = true;
      else {
        const older = entityRecordsIn(segment, id, entry.from);
        entry.events = [...older.records.map(eventOf), ...entry.events];
        entry.from = segment.firstSeq;
        entry.read++;
        entry.complete = older.damaged || older.records.some((r) => r.action === 'create') || segment.firstSeq <= 1 || entry.read >= historySegments;
      }
    } catch {
      entry.complete = true; // an unreadable old segment: the history shows what was read
    }
    if (entry.complete) {
      reading = undefined;
      done();
    } else schedule();
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(step);
  };
  return {
    read(id) {
      const events = recent();
      const newest = events.at(-1)?.seq ?? 0;
      let entry = known.get(id);
      if (!entry) {
        const mine = events.filter((e) => e.id === id);
        const from = events[0]?.seq ?? newest + 1;
        entry = { events: mine, upTo: newest, from, segments: undefined, read: 0, complete: mine.some((e) => e.action === 'create') || from <= 1 };
        known.set(id, entry);
      } else if (newest > entry.upTo) {
        const upTo = entry.upTo;
        entry.events = [...entry.events, ...events.filter((e) => e.seq > upTo && e.id === id)];
        entry.upTo = newest;
      }
      if (!entry.complete) {
        reading = id;
        schedule();
      }
      return entry.events;
    },
    stop(id) {
      if (id === undefined || reading === id) reading = undefined;
    },
  };
}
