import type { PaneInfo } from '../../daemon/protocol.js';

/** What the overview knows of a polecat besides its pane: from the journal and git (live/overview-facts.ts). */
export interface PolecatFacts {
  /** Commits on its branch that main does not have (undefined: not known yet, or no branch). */
  readonly ahead?: number | undefined;
  /** Its merge request's state: queued, testing, merged, rejected… */
  readonly mr?: string | undefined;
  /** Its bead's molecule step, "release 2/5", when the bead is a step of a poured molecule. */
  readonly step?: string | undefined;
}

/** One row of the overview. */
export interface OverviewEntry {
  readonly pane: PaneInfo;
  /** 1-based position among the panes (prefix + digits pick pages, the overview shows this). */
  readonly number: number;
  /** The word shown and sorted on: the witness's status, or "bounced" when its merge request was rejected. */
  readonly status: string;
  /** Whether a person is needed (waiting, stuck, bounced): sorted first, flagged. */
  readonly attention: boolean;
  readonly since: number | undefined;
  readonly facts: PolecatFacts;
  readonly beadTitle: string | undefined;
}

/** The order of the statuses: those that need a person first. */
const rank: Readonly<Record<string, number>> = { waiting: 0, stuck: 1, bounced: 2, lost: 3, exited: 4, working: 5, idle: 6 };

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
 * each of which must occur (any case) in the name, bead, bead title, status, step or merge state.
 */
export function overviewEntries(input: EntriesInput): OverviewEntry[] {
  const words = input.filter.toLowerCase().split(/\s+/).filter(Boolean);
  const entries: OverviewEntry[] = [];
  input.panes.forEach((pane, i) => {
    const facts = input.facts.get(pane.id) ?? {};
    const status = facts.mr === 'rejected' && pane.status !== 'waiting' && pane.status !== 'stuck' ? 'bounced' : pane.status;
    const beadTitle = pane.bead ? input.beadTitles.get(pane.bead) : undefined;
    if (words.length > 0) {
      const hay = [pane.polecat, pane.bead ?? '', beadTitle ?? '', status, facts.step ?? '', facts.mr ?? '', pane.branch ?? ''].join(' ').toLowerCase();
      if (!words.every((w) => hay.includes(w))) return;
    }
    entries.push({ pane, number: i + 1, status, attention: needsPerson(status), since: pane.statusSince ?? input.since.get(pane.id), facts, beadTitle });
  });
  return entries.sort((a, b) => {
    const r = (rank[a.status] ?? 9) - (rank[b.status] ?? 9);
    if (r !== 0) return r;
    // The longest-waiting first among those that need a person; pane order otherwise.
    if (a.attention && a.since !== undefined && b.since !== undefined && a.since !== b.since) return a.since - b.since;
    return a.number - b.number;
  });
}
