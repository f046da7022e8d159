import type { PaneInfo } from '../../daemon/protocol.js';

/** What the overview knows of a polecat besides its pane: from the journal and git (live/overview-facts.ts). */
export interface PolecatFacts {
  /** Commits on its branch that main does not have (undefined: not known yet, or no branch). */
  readonly ahead?: number | undefined;
  /** Its merge request's state: queued, testing, merged, rejected… */
  readonly mr?: string | undefined;
  /** Its bead's molecule step, "release 2/5", when the bead is a step of a poured molecule. */
  readonly step?: string | undefined;
  /** The remote host it runs on (`sling --host`, docs/remote.md); undefined when local. */
  readonly host?: string | undefined;
  /** That host's connection state as the daemon last wrote it: up, connecting, reconnecting, down (or "removed"). */
  readonly hostState?: string | undefined;
}

/** One row of the overview. */
export interface OverviewEntry {
  readonly pane: PaneInfo;
  /** 1-based position among the panes (prefix + digits pick pages, the overview shows this). */
  readonly number: number;
  /** The word shown and sorted on: the witness's status, or "bounced" when its merge request was rejected. */
  readonly status: string;
  /** Whether a person is needed (waiting, stuck, bounced, or its host down): sorted first, flagged. */
  readonly attention: boolean;
  readonly since: number | undefined;
  readonly facts: PolecatFacts;
  readonly beadTitle: string | undefined;
  /** Its host is down or gone (a remote polecat no one can reach): it needs a person too. */
  readonly hostDown: boolean;
}

/** A host of the overview's polecats and its connection state, for the hosts line. */
export interface OverviewHost {
  readonly name: string;
  readonly state: string;
  /** How many of the polecats run there. */
  readonly polecats: number;
}

/** The hosts the polecats run on, by name, each with its state (the overview's hosts line). */
export function overviewHosts(panes: readonly PaneInfo[], facts: ReadonlyMap<string, PolecatFacts>): OverviewHost[] {
  const hosts = new Map<string, { state: string; polecats: number }>();
  for (const pane of panes) {
    const f = facts.get(pane.id);
    if (!f?.host) continue;
    const seen = hosts.get(f.host);
    hosts.set(f.host, { state: f.hostState ?? seen?.state ?? 'unknown', polecats: (seen?.polecats ?? 0) + 1 });
  }
  return [...hosts].map(([name, h]) => ({ name, ...h })).sort((a, b) => a.name.localeCompare(b.name));
}

/** The order of the statuses: those that need a person first. */
const rank: Readonly<Record<string, number>> = { waiting: 0, stuck: 1, bounced: 2, lost: 3, exited: 4, working: 5, idle: 6 };

/** Where a polecat's host rank among the statuses when the host is down (or gone): after bounced. */
const hostDownRank = 2.5;

/** A host state that needs a person: the connection is given up (down) or the host left the town. */
export function hostNeedsPerson(state: string | undefined): boolean {
  return state === 'down' || state === 'removed';
}

/** The witness's statuses that need a person. */
export function needsPerson(status: string): boolean {
  return status === 'waiting' || status === 'stuck' || status === 'bounced';
}

export interface EntriesInput {
  readonly panes: readonly PaneInfo[];
  readonly since: ReadonlyMap<string, number>;
  readonly facts: ReadonlyMap<string, PolecatFacts>;
  readonly beadTitles: ReadonlyMap<string, string>;
  readonly filter: string;
}

/**
 * The overview's rows: every polecat, those that need a person first (waiting, stuck, bounced —
 * longest in that state first), then by status and pane order; narrowed by the filter's words,
 * each of which must occur (any case) in the name, host (and its state), bead, bead title, status,
 * step or merge state. A polecat whose host is down needs a person: it sorts after bounced.
 */
export function overviewEntries(input: EntriesInput): OverviewEntry[] {
  const words = input.filter.toLowerCase().split(/\s+/).filter(Boolean);
  const entries: OverviewEntry[] = [];
  input.panes.forEach((pane, i) => {
    const facts = input.facts.get(pane.id) ?? {};
    const status = facts.mr === 'rejected' && pane.status !== 'waiting' && pane.status !== 'stuck' ? 'bounced' : pane.status;
    const beadTitle = pane.bead ? input.beadTitles.get(pane.bead) : undefined;
    if (words.length > 0) {
      const hay = [pane.polecat, facts.host ?? '', facts.host ? (facts.hostState ?? '') : '', pane.bead ?? '', beadTitle ?? '', status, facts.step ?? '', facts.mr ?? '', pane.branch ?? ''].join(' ').toLowerCase();
      if (!words.every((w) => hay.includes(w))) return;
    }
    const hostDown = facts.host !== undefined && hostNeedsPerson(facts.hostState) && status !== 'exited';
    entries.push({ pane, number: i + 1, status, attention: needsPerson(status) || hostDown, hostDown, since: pane.statusSince ?? input.since.get(pane.id), facts, beadTitle });
  });
  const rankOf = (e: OverviewEntry): number => (e.hostDown && !needsPerson(e.status) ? hostDownRank : (rank[e.status] ?? 9));
  return entries.sort((a, b) => {
    const r = rankOf(a) - rankOf(b);
    if (r !== 0) return r;
    // The longest-waiting first among those that need a person; pane order otherwise.
    if (a.attention && a.since !== undefined && b.since !== undefined && a.since !== b.since) return a.since - b.since;
    return a.number - b.number;
  });
}
