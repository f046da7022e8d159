import type { MergeRequestView, MergeState } from './types.js';

/** The lane's order: the one being worked on, then the queue (oldest first), then finished ones (newest first). */
const rank: Record<MergeState, number> = { merging: 0, testing: 0, queued: 1, merged: 2, rejected: 2 };

/** How many finished merge requests the lane keeps in view. */
export const finishedLimit = 30;

export function laneOrder(requests: readonly MergeRequestView[]): MergeRequestView[] {
  const active = requests.filter((r) => rank[r.state] !== 2);
  const finished = requests.filter((r) => rank[r.state] === 2);
  active.sort((a, b) => (rank[a.state] ?? 1) - (rank[b.state] ?? 1) || (a.created_at < b.created_at ? -1 : 1));
  finished.sort((a, b) => ((a.updated_at ?? a.created_at) < (b.updated_at ?? b.created_at) ? 1 : -1));
  return [...active, ...finished.slice(0, finishedLimit)];
}

/** The merge request whose gate output the lane shows by default: the one merging or testing. */
export function currentRequest(requests: readonly MergeRequestView[]): MergeRequestView | undefined {
  return requests.find((r) => r.state === 'merging' || r.state === 'testing');
}
