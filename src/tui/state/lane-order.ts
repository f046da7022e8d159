import { BEAD_KIND } from '../../model/bead.js';
import type { Entity, StateView } from '../../journal/types.js';
import { refineryStatus, type RefineryStatus } from '../../refinery/status.js';
import type { MergeRequestView } from './types.js';

/** How many finished merge requests the lane keeps in view. */
export const finishedLimit = 30;

/**
 * The refinery's own view of these requests (src/refinery/status.ts, what `citadel refinery
 * status` prints): the lane never sorts on its own, so it shows the order the refinery lands in
 * (priority, then age), not one of its own.
 */
function statusOf(requests: readonly MergeRequestView[]): RefineryStatus {
  const entities = new Map<string, Entity>(requests.map((r) => [r.id, r]));
  const view: StateView = { seq: 0, get: () => undefined, all: (kind) => (kind === BEAD_KIND ? entities : new Map()) };
  return refineryStatus(view, { recent: finishedLimit });
}

/** The lane's order: the one being worked on, then the queue in landing order, then finished ones (newest first). */
export function laneOrder(requests: readonly MergeRequestView[]): MergeRequestView[] {
  const status = statusOf(requests);
  const byId = new Map(requests.map((r) => [r.id, r]));
  const ids = [...(status.current ? [status.current.id] : []), ...status.queue.map((r) => r.id), ...status.recent.map((r) => r.id)];
  return ids.map((id) => byId.get(id)).filter((r): r is MergeRequestView => r !== undefined);
}

/** The merge request whose gate output the lane shows by default: the one merging or testing. */
export function currentRequest(requests: readonly MergeRequestView[]): MergeRequestView | undefined {
  const id = statusOf(requests).current?.id;
  return id === undefined ? undefined : requests.find((r) => r.id === id);
}
