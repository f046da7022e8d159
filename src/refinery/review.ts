import { CitadelError } from '../common/errors.js';
import type { Mutator } from '../journal/types.js';
import { entityAddress } from '../model/address.js';
import type { Bead } from '../model/bead.js';
import type { ModelContext } from '../model/context.js';
import { BeadTransaction } from '../model/transaction.js';
import { validationChange, type ValidationRecord } from '../model/validation.js';
import type { MergeRequest } from './queue.js';
import { bounced } from './verdicts.js';

/*
 * The human review gate (docs/refinery.md, "Review"): with config `review: "required"` the
 * refinery holds a request that passed its gates until a person decides. `citadel approve`
 * and `citadel reject` are validation records by the reviewer's address (stage `review`);
 * an approval lets the refinery land the branch at the commit approved, a rejection bounces
 * the request as a failed gate does (the bead back to its polecat or the queue, a rework mail).
 */

export interface ReviewInput {
  /** The town's name, for addresses. */
  readonly town: string;
  /** The branch tip the reviewer approves or rejects, when the refinery has not named one yet. */
  readonly branchCommit: string | null;
}

/** The request `id` (short ids work), refused when it is not one, or already has a verdict, or is the reviewer's own. */
export function reviewable(tx: BeadTransaction, id: string, verb: 'approve' | 'reject'): MergeRequest {
  const found = tx.require(id, 'merge request');
  if (found.type !== 'merge_request') throw new CitadelError('invalid', `${found.id} is a ${found.type.replace('_', ' ')}, not a merge request (see \`citadel refinery status\`)`);
  const bead = found as MergeRequest;
  if (bead.state === 'merged' || bead.state === 'rejected') throw new CitadelError('conflict', `${bead.id} is already ${bead.state}: nothing to ${verb}`);
  if (bead.polecat && bead.polecat === tx.context.actor) throw new CitadelError('refused', `${tx.context.actor} cannot review its own merge request ${bead.id}`);
  return bead;
}

/** `citadel approve MR [--note]`: an accepting review record; the refinery lands the branch at that commit once its gates pass. */
export function approve(context: ModelContext, id: string, input: ReviewInput & { readonly note: string | null }): Mutator<{ mr: MergeRequest; validation: ValidationRecord }> {
  return (state) => {
    const tx = new BeadTransaction(state, context);
    const current = reviewable(tx, id, 'approve');
    const commit = current.refinery?.review?.branch_commit ?? input.branchCommit;
    if (!commit) throw new CitadelError('not_found', `the branch ${current.branch ?? '(none)'} of ${current.id} was not found: nothing to approve`);
    const notes = {
      ...current.refinery,
      stage: `approved by ${context.actor}`,
      held: null,
      review: { state: 'approved' as const, branch_commit: commit, since: tx.now, by: context.actor },
    };
    const mr = tx.put({ ...current, refinery: notes, updated_at: tx.now } as Bead, 'approve', `${context.actor} approved ${current.id} (${commit.slice(0, 10)})`) as MergeRequest;
    const { change, record } = validationChange(
      state,
      {
        stage: 'review',
        verdict: 'accepted',
        validator: context.actor,
        validator_address: entityAddress(input.town, context.actor),
        merge_request: current.id,
        branch: current.branch ?? null,
        branch_commit: commit,
        bead: current.bead ?? null,
        worker: current.polecat ?? null,
        worker_address: current.polecat ? entityAddress(input.town, current.polecat) : null,
        main_before: null,
        main_commit: null,
        gates: [],
        gates_hash: null,
        reason: null,
        note: input.note,
      },
      tx.now,
    );
    return { changes: [...tx.changes, change], value: { mr, validation: record } };
  };
}

/** `citadel reject MR --reason`: a rejecting review record, and the request bounced as a failed gate bounces it. */
export function reject(context: ModelContext, id: string, input: ReviewInput & { readonly reason: string; readonly bounceTo: 'polecat' | 'ready' }): Mutator<MergeRequest> {
  return (state) => {
    const tx = new BeadTransaction(state, context);
    const current = reviewable(tx, id, 'reject');
    if (current.state === 'merging' || current.state === 'testing') {
      throw new CitadelError('conflict', `the refinery is landing ${current.id} now (${current.refinery?.stage ?? current.state}): reject it once it waits for review (config review: "required"), or reopen its bead`);
    }
    const commit = current.refinery?.review?.branch_commit ?? input.branchCommit;
    return bounced(
      context,
      current.id,
      {
        reason: `rejected in review by ${context.actor}: ${input.reason}`,
        details:
          `${context.actor} rejected ${current.branch ?? current.id} (${current.id}) in review:\n\n${input.reason}\n\n` +
          `Rework it on your branch, commit, and run \`citadel done\` again.`,
        notes: { review: null },
        bounceTo: input.bounceTo,
      },
      { town: input.town, stage: 'review', note: input.reason, branchCommit: commit },
    )(state);
  };
}
