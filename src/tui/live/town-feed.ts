import { join } from 'node:path';
import type { Town } from '../../town/town.js';
import type { EventView, MoleculeChoice, TownSnapshot } from '../state/types.js';
import { emptySnapshot } from '../state/types.js';
import { currentRequest } from '../state/lane-order.js';
import { tailLines } from './gate-tail.js';
import { appendEvents, eventOf, feedLength, snapshotOf } from './load-snapshot.js';
import { schedulerSummary } from './scheduler-summary.js';
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
  /** A bead's history, oldest first (a scan of the journal: on demand only). */
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
  const refresh = (): void => {
    if (closed) return;
    try {
      const state = town.journal.read();
      let next = snapshot;
      if (state.seq !== lastSeq) {
        const from = lastSeq < 0 ? Math.max(1, state.seq - feedLength + 1) : lastSeq + 1;
        events = appendEvents(events, state.seq >= from ? town.journal.records(from) : []);
        lastSeq = state.seq;
        const scheduler = schedulerSummary(state, town.config.scheduler, Date.now());
        next = snapshotOf(state, { town: options.name, me: town.actor, events, polecats, presets: options.presets, molecules: options.molecules, gateTail, scheduler });
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
      const out: EventView[] = [];
      for (const record of town.journal.records()) if (record.id === id) out.push(eventOf(record));
      return out;
    },
    ready: watcher?.ready ?? Promise.resolve(),
    async close() {
      closed = true;
      listeners.clear();
      await watcher?.close();
    },
  };
}
