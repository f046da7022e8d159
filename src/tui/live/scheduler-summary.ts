import { queriesOf } from '../../journal/query-index.js';
import type { StateView } from '../../journal/types.js';
import type { Bead } from '../../model/bead.js';
import { BEAD_KIND } from '../../model/bead.js';
import type { SchedulerConfig } from '../../scheduler/config.js';
import { readScheduler } from '../../scheduler/state.js';
import { resourcesView, schedulerStatusLine, schedulerView, type ResourceView } from '../../scheduler/view.js';
import type { SchedulerSummary } from '../state/types.js';

/**
 * What the workstation shows of the scheduler (issue 17): its status-bar line, the beads it
 * takes next (the same plan the daemon makes) and who holds each resource. The plan is only
 * worked out while the scheduler runs or is paused; when it is off, only the resources' holders
 * are read (one pass over the beads), so a town that never started it pays next to nothing.
 */
export function schedulerSummary(state: StateView, config: SchedulerConfig, now: number): SchedulerSummary {
  const notes = new Map<string, string>();
  const entity = readScheduler(state);
  let line: string | null = null;
  let resources: readonly ResourceView[];
  if (entity) {
    const view = schedulerView(state, { now, config });
    line = schedulerStatusLine(view);
    view.next.forEach((decision, i) => notes.set(decision.bead, i === 0 ? `→ next: ${decision.polecat}` : `→ then: ${decision.polecat}`));
    resources = view.resources;
  } else {
    resources = resourcesView(resourceBeads(state));
  }
  for (const resource of resources) notes.set(resource.id, resourceNote(resource));
  return { line, notes };
}

/**
 * The beads `resourcesView` reads: through the query index only the resources and the beads
 * that use them (a walk over every bead would load the whole town into the workstation), else
 * every bead.
 */
function resourceBeads(state: StateView): ReadonlyMap<string, Bead> {
  const all = state.all(BEAD_KIND) as ReadonlyMap<string, Bead>;
  const queries = queriesOf(all);
  if (!queries) return all;
  const some = new Map<string, Bead>();
  for (const resource of queries.find({ fields: { type: 'resource' } }) as Bead[]) {
    some.set(resource.id, resource);
    for (const user of queries.iterate({ fields: { status: 'in_progress' }, has: { field: 'uses', value: resource.id } }) as Iterable<Bead>) some.set(user.id, user);
  }
  return some;
}

/** `held 1/1 by nux` or `free 0/2`. */
export function resourceNote(resource: ResourceView): string {
  const count = `${resource.holders.length}/${resource.capacity}`;
  if (!resource.holders.length) return `free ${count}`;
  return `held ${count} by ${resource.holders.map((h) => h.polecat ?? h.bead).join(', ')}`;
}
