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
   * bead is older than those, the rest is read backwards in slices in the background and the
   * listeners are told when it is complete (a whole-journal scan would hold the keyboard for
   * seconds on a town of a million events).
   */
  history(id: string): EventView[];
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
  const histories = historyReader(town, () => lastSeq, () => {
    if (closed) return;
    snapshot = { ...snapshot };
    tellAll();
  });
  const refresh = (): void => {
    if (closed) return;
    try {
      const state = town.journal.read();
      let next = snapshot;
      if (state.seq !== lastSeq) {
        const first = lastSeq < 0;
        const from = first ? Math.max(1, state.seq - feedLength + 1) : lastSeq + 1;
        const records = state.seq >= from ? [...town.journal.records(from)] : [];
        events = appendEvents(events, records);
        lastSeq = state.seq;
        if (indexed === undefined) indexed = TownIndex.open(state, () => town.journal.read(), town.actor) ?? null;
        else if (indexed) indexed.apply(records);
        if (indexed?.gone) indexed = null;
        const scheduler = schedulerSummary(state, town.config.scheduler, Date.now());
        const inputs = { town: options.name, me: town.actor, events, polecats, presets: options.presets, molecules: options.molecules, gateTail, scheduler };
        next = indexed ? { ...inputs, seq: state.seq, ...indexed.snapshotParts() } : snapshotOf(state, inputs);
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
    ready: watcher?.ready ?? Promise.resolve(),
    async close() {
      closed = true;
      listeners.clear();
      await watcher?.close();
    },
  };
}

/** How many records the history reads at once from the journal, and how many it reads at first. */
const historySlice = 4_000;
const historyRecent = 2_000;

/**
 * Bead histories for the details view, remembered per bead and extended with new records. The
 * first read takes the recent records (the journal serves them from memory); a bead created
 * before those gets the older ones in slices of {@link historySlice} seqs, newest first, one
 * slice per turn of the event loop, until its `create` record (or seq 1) is reached.
 */
function historyReader(town: Town, head: () => number, done: () => void): { read(id: string): EventView[] } {
  const known = new Map<string, { events: EventView[]; upTo: number; from: number; complete: boolean }>();
  let reading: string | undefined;
  const collect = (id: string, from: number, to: number): { events: EventView[]; created: boolean } => {
    const events: EventView[] = [];
    let created = false;
    for (const record of town.journal.records(from)) {
      if (record.seq > to) break;
      if (record.id !== id) continue;
      events.push(eventOf(record));
      if (record.action === 'create') created = true;
    }
    return { events, created };
  };
  const readOlder = (id: string): void => {
    if (reading) return;
    reading = id;
    const step = (): void => {
      const entry = known.get(id);
      if (!entry || entry.complete) {
        reading = undefined;
        return;
      }
      try {
        const from = Math.max(1, entry.from - historySlice);
        const older = collect(id, from, entry.from - 1);
        entry.events = [...older.events, ...entry.events];
        entry.from = from;
        entry.complete = older.created || from <= 1;
      } catch {
        entry.complete = true; // an unreadable old segment: the history shows what was read
      }
      if (entry.complete) {
        reading = undefined;
        done();
      } else setImmediate(step);
    };
    setImmediate(step);
  };
  return {
    read(id) {
      const seq = head();
      let entry = known.get(id);
      if (!entry) {
        const from = Math.max(1, seq - historyRecent + 1);
        const recent = collect(id, from, seq);
        entry = { events: recent.events, upTo: seq, from, complete: recent.created || from <= 1 };
        known.set(id, entry);
      } else if (seq > entry.upTo) {
        entry.events = [...entry.events, ...collect(id, entry.upTo + 1, seq).events];
        entry.upTo = seq;
      }
      if (!entry.complete) readOlder(id);
      return entry.events;
    },
  };
}
