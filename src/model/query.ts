import { CitadelError } from '../common/errors.js';
import { queriesOf, type Where } from '../journal/query-index.js';
import type { StateView } from '../journal/types.js';
import { BEAD_KIND, type Bead, type BeadStatus, type BeadType } from './bead.js';
import { idCandidates } from './ids.js';
import { checkId } from './validate.js';
import { compareAge } from './order.js';

/** Every bead of a state, by id. */
export function beadsOf(state: StateView): ReadonlyMap<string, Bead> {
  return state.all(BEAD_KIND) as ReadonlyMap<string, Bead>;
}

/**
 * The bead `id`, or a `not_found` error naming it (and an `invalid` one for a malformed id).
 * With the town's `prefix`, `A3F8` and `a3f8` find `ct-a3f8` too.
 */
export function getBead(state: StateView, id: string, prefix?: string): Bead {
  const checked = checkId(id);
  let bead: Bead | undefined;
  for (const candidate of idCandidates(checked, prefix)) if ((bead = state.get(BEAD_KIND, candidate) as Bead | undefined)) break;
  if (!bead) throw new CitadelError('not_found', `bead ${checked} not found (see \`citadel bead list\`)`);
  return bead;
}

/** What `bead list` filters on; every given filter must match. */
export interface BeadFilter {
  /** Any of these statuses. */
  readonly statuses?: readonly BeadStatus[];
  /** Any of these types. Without it, messages are left out (they live in `mail inbox`). */
  readonly types?: readonly BeadType[];
  readonly label?: string;
  /** An assignee's name; "" or "none" for the unassigned. */
  readonly assignee?: string;
  readonly parent?: string;
}

/** The beads matching `filter`, by priority, then age, then id. */
export function listBeads(beads: ReadonlyMap<string, Bead>, filter: BeadFilter = {}): Bead[] {
  const unassigned = filter.assignee === '' || filter.assignee === 'none';
  const found: Bead[] = [];
  const queries = queriesOf(beads);
  // Through the query index: only the rows the filter selects are read (and checked again below).
  const where: Where | undefined = queries && {
    fields: {
      ...(filter.types ? { type: filter.types } : {}),
      ...(filter.statuses ? { status: filter.statuses } : {}),
      ...(filter.assignee !== undefined ? { assignee: unassigned ? null : filter.assignee } : {}),
      ...(filter.parent !== undefined ? { parent: filter.parent } : {}),
    },
    ...(filter.types ? {} : { not: { type: ['message'] } }),
    ...(filter.label !== undefined ? { has: { field: 'labels' as const, value: filter.label } } : {}),
  };
  for (const bead of (queries && where ? queries.iterate(where) : beads.values()) as Iterable<Bead>) {
    if (filter.types ? !filter.types.includes(bead.type) : bead.type === 'message') continue;
    if (filter.statuses && !filter.statuses.includes(bead.status)) continue;
    if (filter.label !== undefined && !bead.labels.includes(filter.label)) continue;
    if (filter.assignee !== undefined && (unassigned ? bead.assignee !== null : bead.assignee !== filter.assignee)) continue;
    if (filter.parent !== undefined && bead.parent !== filter.parent) continue;
    found.push(bead);
  }
  return found.sort(byPriorityThenAge);
}

/** Priority (0 first), then age (oldest first), then id. */
export function byPriorityThenAge(a: Bead, b: Bead): number {
  return a.priority - b.priority || compareAge(a, b);
}

/** The children of `id`, oldest first. */
export function childrenOf(beads: ReadonlyMap<string, Bead>, id: string): Bead[] {
  const found: Bead[] = [];
  const queries = queriesOf(beads);
  const candidates = queries ? (queries.iterate({ fields: { parent: id } }) as Iterable<Bead>) : beads.values();
  for (const bead of candidates) if (bead.parent === id) found.push(bead);
  return found.sort(compareAge);
}

/** The beads that need `id` (they wait for it to close). */
export function dependentsOf(beads: ReadonlyMap<string, Bead>, id: string): Bead[] {
  const found: Bead[] = [];
  const queries = queriesOf(beads);
  const candidates = queries ? (queries.iterate({ has: { field: 'needs', value: id } }) as Iterable<Bead>) : beads.values();
  for (const bead of candidates) if (bead.needs.includes(id)) found.push(bead);
  return found.sort(byPriorityThenAge);
}
