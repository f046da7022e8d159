import type { Mutator, StateView } from '../journal/types.js';
import { CitadelError } from '../common/errors.js';
import { entityAddress } from '../model/address.js';
import type { Bead } from '../model/bead.js';
import type { ModelContext } from '../model/context.js';
import { BeadTransaction, transact } from '../model/transaction.js';
import { validationChange, type GateRun, type ValidationStage } from '../model/validation.js';
import { recordStepFailure } from '../molecules/recovery.js';
import { MAIN_HEALTH_ID, REFINERY_KIND, type MainHealth, type MergeRequest, type RefineryNotes, type Validation } from './queue.js';

/*
 * Every journal write the refinery makes, as Mutators. Each verdict (merged, bounced) is ONE
 * mutation: the request's state, the bead's fate and the mail land together or not at all, so
 * a crash can never leave a merged request whose bead is still open, or a bounce without mail.
 */

function requireRequest(tx: BeadTransaction, id: string): MergeRequest {
  const bead = tx.require(id, 'merge request') as MergeRequest;
  if (bead.type !== 'merge_request') throw new Error(`${id} is not a merge request`);
  return bead;
}

function withNotes(tx: BeadTransaction, mr: MergeRequest, notes: RefineryNotes): MergeRequest {
  return { ...mr, refinery: { ...mr.refinery, ...notes }, updated_at: tx.now } as MergeRequest;
}

/**
 * What a verdict's validation record needs beyond the request (docs/model.md, "Validations"):
 * the town (for addresses), the stage, the gates run and their trust hash, the branch commit
 * judged, a reviewer's note.
 */
export interface VerdictRecord {
  readonly town: string;
  readonly stage?: ValidationStage;
  readonly gates?: readonly GateRun[];
  readonly gatesHash?: string | null;
  readonly branchCommit?: string | null;
  readonly mainBefore?: string | null;
  readonly note?: string | null;
}

/**
 * `inner` plus the validation record of its verdict, in the same mutation; nothing is recorded
 * when `inner` changed nothing (the verdict was already given).
 */
function withValidation(
  inner: (tx: BeadTransaction) => { mr: MergeRequest; changed: boolean },
  context: ModelContext,
  record: VerdictRecord,
  verdict: { accepted: boolean; mainCommit?: string | null; reason?: string | null },
): Mutator<MergeRequest> {
  return (state: StateView) => {
    const tx = new BeadTransaction(state, context);
    const { mr, changed } = inner(tx);
    if (!changed) return { changes: tx.changes, value: mr };
    const { change } = validationChange(
      state,
      {
        stage: record.stage ?? 'gates',
        verdict: verdict.accepted ? 'accepted' : 'rejected',
        validator: context.actor,
        validator_address: entityAddress(record.town, context.actor),
        merge_request: mr.id,
        branch: mr.branch ?? null,
        branch_commit: record.branchCommit ?? headOf(mr),
        bead: mr.bead ?? null,
        worker: mr.polecat ?? null,
        worker_address: mr.polecat ? entityAddress(record.town, mr.polecat) : null,
        main_before: record.mainBefore ?? mr.refinery?.main_before ?? null,
        main_commit: verdict.mainCommit ?? null,
        gates: record.gates ?? [],
        gates_hash: record.gatesHash ?? null,
        reason: verdict.reason ?? null,
        note: record.note ?? null,
      },
      tx.now,
    );
    return { changes: [...tx.changes, change], value: mr };
  };
}

/** The commit `citadel done` submitted (the request's `head`), or null. */
function headOf(mr: MergeRequest): string | null {
  const head = (mr as { head?: unknown }).head;
  return typeof head === 'string' ? head : null;
}

/** Moves a request to `merging`/`testing` (or back to `queued`) with the refinery's notes. */
export function progress(context: ModelContext, id: string, state: 'queued' | 'merging' | 'testing', notes: RefineryNotes): Mutator<MergeRequest> {
  return transact(context, (tx) => {
    const current = requireRequest(tx, id);
    // A verdict given meanwhile (a person's reject) is final: the refinery stops on it.
    if (current.state === 'merged' || current.state === 'rejected') throw new CitadelError('conflict', `${id} was ${current.state} meanwhile`);
    const moved = current.state === state ? current : (tx.setMergeRequestState(id, state) as MergeRequest);
    const next = withNotes(tx, moved, notes);
    if (JSON.stringify(next.refinery) === JSON.stringify(current.refinery) && moved === current) return current;
    return tx.put(next as Bead, 'stage', `${id}: ${notes.stage ?? state}`) as MergeRequest;
  });
}

const short = (sha: string): string => sha.slice(0, 10);

/** Landed: the request merged, its bead closed, its polecat told — one mutation. */
export function merged(context: ModelContext, id: string, validation: Validation, record: VerdictRecord): Mutator<MergeRequest> {
  const inner = (tx: BeadTransaction): { mr: MergeRequest; changed: boolean } => {
    const current = requireRequest(tx, id);
    if (current.state === 'merged') return { mr: current, changed: false };
    const closed = tx.setMergeRequestState(id, 'merged') as MergeRequest;
    const gates = validation.gates.map((gate) => `${gate.argv.join(' ')} (${gate.ms} ms)`).join(', ') || 'no gates';
    const mr = tx.put(
      withNotes(tx, closed, { stage: 'merged', merged_sha: validation.merged_sha, validation, held: null }) as Bead,
      'merge',
      `refinery merged ${current.branch} as ${short(validation.merged_sha)} (${gates})`,
    ) as MergeRequest;
    const bead = current.bead ? tx.get(current.bead) : undefined;
    if (bead && bead.status !== 'closed') tx.close(bead.id, `merged to main as ${short(validation.merged_sha)} by the refinery (${id})`);
    if (current.polecat) {
      tx.sendMail({
        to: current.polecat,
        subject: `merged: ${bead?.title ?? current.branch}`,
        body:
          `Your branch ${current.branch} landed on main as ${short(validation.merged_sha)} ` +
          `(${validation.commits} commit${validation.commits === 1 ? '' : 's'}; gates: ${gates}).` +
          (bead ? `\n${bead.id} is closed.` : ''),
      });
    }
    return { mr, changed: true };
  };
  return withValidation(inner, context, { ...record, gates: validation.gates, mainBefore: validation.main_before }, { accepted: true, mainCommit: validation.merged_sha });
}

export interface BounceInput {
  /** One line: why. */
  readonly reason: string;
  /** The full text of the rework mail. */
  readonly details: string;
  readonly notes: RefineryNotes;
  /** Config `bounceTo`: the bead goes back to its polecat, or to the ready queue. */
  readonly bounceTo: 'polecat' | 'ready';
  /**
   * A gate failed: when the bead is a molecule step, this is recorded in its `failures` (what
   * `molecule status` and `prime` show), in the same mutation. Conflicts are not step failures.
   */
  readonly stepFailure?: string;
}

/** Bounced: the request rejected, the bead handed back, the polecat asked to rework — one mutation. */
export function bounced(context: ModelContext, id: string, input: BounceInput, record: VerdictRecord): Mutator<MergeRequest> {
  const inner = (tx: BeadTransaction): { mr: MergeRequest; changed: boolean } => {
    const current = requireRequest(tx, id);
    if (current.state === 'rejected' || current.state === 'merged') return { mr: current, changed: false };
    const rejected = tx.setMergeRequestState(id, 'rejected', input.reason) as MergeRequest;
    const mr = tx.put(withNotes(tx, rejected, { ...input.notes, stage: 'rejected', held: null }) as Bead, 'bounce', `${context.actor} bounced ${current.branch}: ${input.reason}`) as MergeRequest;
    const bead = current.bead ? tx.get(current.bead) : undefined;
    if (bead && bead.status !== 'closed') {
      if (bead.type === 'step' && input.stepFailure) recordStepFailure(tx, bead.id, input.stepFailure, { holder: bead.assignee ?? current.polecat ?? null });
      if (input.bounceTo === 'ready' || !current.polecat) tx.release(bead.id);
      else tx.update(bead.id, { status: 'in_progress', assignee: current.polecat });
    }
    if (current.polecat) {
      tx.sendMail({ to: current.polecat, subject: `rework: ${bead?.title ?? current.branch}`, body: input.details, priority: bead?.priority ?? 2 });
    }
    return { mr, changed: true };
  };
  return withValidation(inner, context, record, { accepted: false, reason: input.reason });
}

/** A gate failed on main itself: record it and tell the overseer (once per broken tip). */
export function mainBroken(context: ModelContext, broken: NonNullable<MainHealth['broken']>, mailBody: string): Mutator<boolean> {
  return (stateView) => {
    const existing = stateView.get(REFINERY_KIND, MAIN_HEALTH_ID) as MainHealth | undefined;
    if (existing?.broken?.sha === broken.sha) return { changes: [], value: false };
    const mail = transact(context, (tx) =>
      tx.sendMail({ to: 'overseer', subject: `main is broken: ${broken.argv.join(' ')} fails on ${short(broken.sha)}`, body: mailBody, priority: 0 }),
    )(stateView);
    const health: MainHealth = { id: MAIN_HEALTH_ID, broken };
    return {
      changes: [
        { kind: REFINERY_KIND, id: MAIN_HEALTH_ID, entity: health, action: 'main-broken', summary: `main is broken at ${short(broken.sha)}: ${broken.argv.join(' ')}` },
        ...mail.changes,
      ],
      value: true,
    };
  };
}

/** main's tip passed the gates: clear a recorded breakage. */
export const mainHealthy: Mutator<boolean> = (stateView) => {
  const existing = stateView.get(REFINERY_KIND, MAIN_HEALTH_ID) as MainHealth | undefined;
  if (!existing?.broken) return { changes: [], value: false };
  const health: MainHealth = { id: MAIN_HEALTH_ID, broken: null };
  return { changes: [{ kind: REFINERY_KIND, id: MAIN_HEALTH_ID, entity: health, action: 'main-fixed', summary: 'main passes its gates again' }], value: true };
};

/** Mail to the overseer (a held landing). */
export function tellOverseer(context: ModelContext, subject: string, body: string): Mutator<Bead> {
  return transact(context, (tx) => tx.sendMail({ to: 'overseer', subject, body }));
}
