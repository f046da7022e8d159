import type { PaneInfo } from '../../daemon/protocol.js';
import type { PolecatFacts } from '../overview/overview-entries.js';
import type { TownSnapshot } from '../state/types.js';

/**
 * What the journal says of each polecat, for the overview: its merge request's state (the
 * newest one for its branch) and, when its bead is a step of a poured molecule, the step as
 * "molecule n/m". Pure, over the panels' snapshot (no reads of its own).
 */
export function journalFacts(snapshot: Pick<TownSnapshot, 'beads' | 'mergeRequests' | 'index'>, panes: readonly PaneInfo[]): Map<string, PolecatFacts> {
  const byId = new Map(snapshot.beads.map((b) => [b.id, b]));
  const { index } = snapshot;
  const newestMr = new Map<string, { state: string; at: string }>();
  for (const mr of snapshot.mergeRequests) {
    const key = `${mr.polecat}\0${mr.branch}`;
    const seen = newestMr.get(key);
    if (!seen || mr.updated_at > seen.at) newestMr.set(key, { state: mr.state, at: mr.updated_at });
  }
  // Through the query index the snapshot holds only the working set: a molecule's closed steps
  // and beads outside it are asked for by id.
  const children = new Map<string, string[]>();
  if (!index) {
    for (const b of snapshot.beads) {
      if (b.parent) children.set(b.parent, [...(children.get(b.parent) ?? []), b.id]);
    }
  }
  const childrenOf = (id: string): string[] => (index ? index.children(id).map((b) => b.id) : (children.get(id) ?? []));
  const out = new Map<string, PolecatFacts>();
  for (const pane of panes) {
    const mr = pane.branch ? newestMr.get(`${pane.polecat}\0${pane.branch}`)?.state : undefined;
    let step: string | undefined;
    const bead = pane.bead ? (byId.get(pane.bead) ?? index?.bead(pane.bead)) : undefined;
    const parent = bead?.parent ? (byId.get(bead.parent) ?? index?.bead(bead.parent)) : undefined;
    if (bead && parent?.molecule) {
      const steps = childrenOf(parent.id).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      step = `${parent.molecule} ${steps.indexOf(bead.id) + 1}/${steps.length}`;
    }
    out.set(pane.id, { mr, step });
  }
  return out;
}
