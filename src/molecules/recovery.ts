import { CitadelError } from '../common/errors.js';
import type { Mutator } from '../journal/types.js';
import { modelContext, transact, type Bead, type BeadTransaction, type ModelContext } from '../model/index.js';
import type { StepBead } from './pour.js';

/**
 * Step recovery (docs/molecules.md, "Step states and recovery"). A step that failed, or whose
 * holder is gone, goes back to ready (open, unclaimed) with what happened recorded on it, so
 * any polecat re-runs it from the start. A closed step is never reopened or duplicated here:
 * completed work stays completed.
 */

/** An actor name, or a full model context (tests pin the clock). */
export type Acting = string | ModelContext;

const contextOf = (acting: Acting): ModelContext => (typeof acting === 'string' ? modelContext(acting, 'ct') : acting);

/**
 * Records a failure on a step and returns it to ready: `failures` gains `{at, by, holder,
 * reason}`, the assignee is cleared, the status is open. Refused for a closed step or a bead
 * that is not a step. The refinery calls it when a step's gate fails.
 */
export function failStep(stepId: string, reason: string, actor: Acting): Mutator<StepBead> {
  return transact(contextOf(actor), (tx) => recordStepFailure(tx, stepId, reason, { backToReady: true }));
}

/**
 * Appends `{at, by, holder, reason}` to a step's `failures` inside a transaction the caller
 * owns, so the record lands in the same mutation as the rest (the refinery's bounce of a step
 * whose gate failed). With `backToReady` the step is also returned to ready (open, unclaimed),
 * as {@link failStep} does; without it, its status and holder are left for the caller to set
 * (the refinery hands a bounced step back to its polecat). Refused for a closed step or a bead
 * that is not a step.
 */
export function recordStepFailure(tx: BeadTransaction, stepId: string, reason: string, options: { backToReady?: boolean; holder?: string | null } = {}): StepBead {
  const step = requireOpenStep(tx, stepId, 'fail');
  const why = requireReason(reason);
  const holder = options.holder !== undefined ? options.holder : step.assignee;
  const failure = { at: tx.now, by: tx.context.actor, holder, reason: why };
  const moved = options.backToReady ? { status: 'open' as const, assignee: null } : {};
  const next: StepBead = { ...step, ...moved, failures: [...(step.failures ?? []), failure], updated_at: tx.now };
  return tx.put(next, 'fail', `${step.id} failed${holder ? ` (held by ${holder})` : ''}: ${why}`) as StepBead;
}

/**
 * Takes a step back from its holder (its polecat exited, was killed, or lost its pty) and
 * returns it to ready: `releases` gains `{at, by, holder, reason}`. A step nobody holds is left
 * as it is (no record). Refused for a closed step. The daemon's witness calls it.
 */
export function releaseStep(stepId: string, reason: string, actor: Acting = 'witness'): Mutator<StepBead> {
  const context = contextOf(actor);
  return transact(context, (tx) => releaseIn(tx, requireOpenStep(tx, stepId, 'release'), requireReason(reason)));
}

/**
 * Releases every step `holder` holds (for a polecat that is gone), skipping closed ones.
 * Returns the steps released (none: nothing written).
 */
export function releaseStepsHeldBy(holder: string, reason: string, actor: Acting = 'witness'): Mutator<StepBead[]> {
  const context = contextOf(actor);
  return transact(context, (tx) => {
    const why = requireReason(reason);
    const held = [...tx.beads().values()].filter((bead) => bead.type === 'step' && bead.assignee === holder && bead.status !== 'closed');
    return held.map((step) => releaseIn(tx, step as StepBead, why));
  });
}

function releaseIn(tx: BeadTransaction, step: StepBead, reason: string): StepBead {
  if (step.assignee === null && step.status === 'open') return step;
  const release = { at: tx.now, by: tx.context.actor, holder: step.assignee, reason };
  const next: StepBead = { ...step, status: 'open', assignee: null, releases: [...(step.releases ?? []), release], updated_at: tx.now };
  return tx.put(next, 'release', `${step.id} released${step.assignee ? ` from ${step.assignee}` : ''}: ${reason}`) as StepBead;
}

function requireOpenStep(tx: BeadTransaction, id: string, verb: string): StepBead {
  const bead: Bead = tx.require(id);
  if (bead.type !== 'step') {
    throw new CitadelError('invalid', `${bead.id} is ${withArticle(bead.type.replace('_', ' '))}, not a molecule step: only steps can be ${verb === 'fail' ? 'failed' : 'released'} (see \`citadel molecule status\`)`);
  }
  if (bead.status === 'closed') {
    throw new CitadelError(
      'refused',
      `${bead.id} is closed: a completed step is never reopened by recovery (reopen it by hand with \`citadel bead update ${bead.id} --status open\`)`,
    );
  }
  return bead as StepBead;
}

function requireReason(reason: string): string {
  const trimmed = reason.trim();
  if (!trimmed) throw new CitadelError('invalid', 'a reason is required: say what went wrong (--reason TEXT)');
  return trimmed;
}


const withArticle = (noun: string): string => `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;
