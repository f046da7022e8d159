import { CitadelError } from '../common/errors.js';
import type { StateView } from '../journal/types.js';
import { BEAD_KIND, type Bead } from '../model/bead.js';
import { beadsOf, getBead } from '../model/query.js';
import { whyNotReady } from '../model/ready.js';
import type { InstanceBead, StepBead, StepFailure, StepRelease } from './pour.js';
import type { StepRole } from './types.js';

/**
 * A step's state in its instance: `pending` (waiting on a need, or marked blocked), `ready`
 * (anyone may claim it now), `in_progress` (claimed: `holder` has it), `closed` (done; stays done).
 */
export type StepState = 'pending' | 'ready' | 'in_progress' | 'closed';

export interface StepStatus {
  readonly id: string;
  /** The step's id in the molecule (`fix`, `verify.run`). */
  readonly step: string;
  readonly title: string;
  readonly state: StepState;
  /** Who holds it (its assignee), or null. */
  readonly holder: string | null;
  /** Bead ids it needs, and those of them not closed yet. */
  readonly needs: readonly string[];
  readonly waiting_on: readonly string[];
  /** Why it is not ready, when it is pending (one line). */
  readonly blocked_by: string | null;
  readonly role: StepRole;
  readonly acceptance: string;
  readonly gate: string | null;
  readonly failures: readonly StepFailure[];
  readonly releases: readonly StepRelease[];
  readonly closed_at: string | null;
  readonly close_reason: string | null;
}

/** `citadel molecule status ID --json`. */
export interface MoleculeStatus {
  readonly id: string;
  readonly molecule: string;
  readonly title: string;
  /** The epic's status: closed once every step is. */
  readonly status: Bead['status'];
  readonly vars: Readonly<Record<string, string>>;
  readonly steps: readonly StepStatus[];
  /** Step ids anyone may claim now. */
  readonly ready: readonly string[];
  readonly counts: Readonly<Record<StepState, number>> & { readonly total: number };
  readonly done: boolean;
}

/** The instance `id` (its epic, or any of its steps) as a status. */
export function moleculeStatus(state: StateView, id: string): MoleculeStatus {
  const epic = instanceOf(state, id);
  const beads = beadsOf(state);
  const steps = stepsOf(state, epic).map((step) => stepStatus(step, beads));
  const counts = { pending: 0, ready: 0, in_progress: 0, closed: 0, total: steps.length };
  for (const step of steps) counts[step.state]++;
  return {
    id: epic.id,
    molecule: epic.molecule!,
    title: epic.title,
    status: epic.status,
    vars: epic.vars ?? {},
    steps,
    ready: steps.filter((s) => s.state === 'ready').map((s) => s.id),
    counts,
    done: steps.length > 0 && counts.closed === steps.length,
  };
}

/** One line per instance for `molecule status` without an id: every instance, open ones first. */
export interface InstanceSummary {
  readonly id: string;
  readonly molecule: string;
  readonly title: string;
  readonly status: Bead['status'];
  readonly closed: number;
  readonly total: number;
  readonly ready: readonly string[];
}

export function listInstances(state: StateView): InstanceSummary[] {
  const instances: InstanceSummary[] = [];
  for (const bead of beadsOf(state).values()) {
    const epic = bead as InstanceBead;
    if (epic.type !== 'epic' || !epic.molecule) continue;
    const status = moleculeStatus(state, epic.id);
    instances.push({
      id: epic.id,
      molecule: epic.molecule,
      title: epic.title,
      status: epic.status,
      closed: status.counts.closed,
      total: status.counts.total,
      ready: status.ready,
    });
  }
  const rank = (s: InstanceSummary): number => (s.status === 'closed' ? 1 : 0);
  return instances.sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id));
}

function instanceOf(state: StateView, id: string): InstanceBead {
  let bead = getBead(state, id) as InstanceBead;
  if (bead.type === 'step' && bead.parent) bead = getBead(state, bead.parent) as InstanceBead;
  if (!bead.molecule) {
    throw new CitadelError('invalid', `${id} is not a molecule instance (pour one with \`citadel molecule pour NAME\`; see \`citadel molecule status\`)`);
  }
  return bead;
}

/** The steps of an instance in pour order: `<epic>.1`, `<epic>.2`, … (looked up by id, not by scanning the town). */
function stepsOf(state: StateView, epic: Bead): StepBead[] {
  const steps: StepBead[] = [];
  for (let n = 1; ; n++) {
    const step = state.get(BEAD_KIND, `${epic.id}.${n}`) as StepBead | undefined;
    if (!step) break;
    if (step.parent === epic.id) steps.push(step);
  }
  return steps;
}

/** Steps have no children: the ready rule's epic check never applies, so skip its O(n) scan. */
const noParents: ReadonlySet<string> = new Set();

function stepStatus(step: StepBead, beads: ReadonlyMap<string, Bead>): StepStatus {
  const waitingOn = step.needs.filter((need) => beads.get(need)?.status !== 'closed');
  let state: StepState;
  let blockedBy: string | null = null;
  if (step.status === 'closed') state = 'closed';
  else if (step.status === 'in_progress' || step.assignee) state = 'in_progress';
  else {
    blockedBy = whyNotReady(step, beads, noParents);
    state = blockedBy === null ? 'ready' : 'pending';
  }
  return {
    id: step.id,
    step: step.step ?? step.id,
    title: step.title,
    state,
    holder: step.assignee,
    needs: step.needs,
    waiting_on: waitingOn,
    blocked_by: blockedBy,
    role: step.role ?? 'polecat',
    acceptance: step.acceptance ?? '',
    gate: step.gate ?? null,
    failures: step.failures ?? [],
    releases: step.releases ?? [],
    closed_at: step.closed_at,
    close_reason: step.close_reason,
  };
}
