import { join } from 'node:path';
import type { Mutator, StateView } from '../journal/types.js';
import type { Bead } from '../model/bead.js';
import { modelContext } from '../model/context.js';
import { isPinned } from '../model/schedule.js';
import { BeadTransaction } from '../model/transaction.js';
import { polecatBranch } from '../git/names.js';
import { allPolecats, getPolecat, putPolecat, type Polecat } from '../model/polecat.js';
import { isBusy, type Decision } from './plan.js';
import { planPolecat } from './inputs.js';
import { putScheduler, readScheduler } from './state.js';

/** How a decision's agent is started: the preset's name, its argv and typed-in prompt. */
export interface Launch {
  /** The preset (the polecat record's `agent`, which the witness and hooks read). */
  readonly preset: string;
  readonly argv: readonly string[];
  readonly typeIn: string | undefined;
}

export interface TakeResult {
  readonly polecat: Polecat;
  readonly previous: Polecat | undefined;
}

/**
 * One decision as ONE journal mutation: checked again under the lock against the state as it
 * is now (still running, the bead still free, the polecat still idle, still under `max`; the claim itself
 * refuses a full resource), then the claim for the polecat, the polecat recorded `starting`
 * (with `scheduled_by`, so a daemon killed right after can finish the start), and the
 * scheduler's `last` decision with the reason — the record's summary says why. Returns
 * undefined, writing nothing, when the decision no longer holds.
 */
export function take(decision: Decision, launch: Launch, options: { prefix: string; worktreesRoot: string; max: number; now: number }): Mutator<TakeResult | undefined> {
  return (state) => {
    const nothing = { changes: [], value: undefined };
    const bead = state.get('beads', decision.bead) as Bead | undefined;
    if (!bead || bead.status === 'closed') return nothing;
    const expectHeld = decision.kind === 'rework';
    if (expectHeld ? bead.assignee !== decision.polecat : bead.assignee !== null || bead.status !== 'open') return nothing;
    const previous = getPolecat(state, decision.polecat);
    if (previous && isBusy(planPolecat(previous), options.now)) return nothing;
    // Paused since the plan was made: no new work (a pinned role is still kept).
    if (decision.kind !== 'pinned' && readScheduler(state)?.state !== 'running') return nothing;
    if (decision.kind !== 'pinned' && busyCount(state, options.now) >= options.max) return nothing;
    const at = new Date(options.now).toISOString();
    const polecat: Polecat = {
      ...(previous ?? {}),
      id: decision.polecat,
      name: decision.polecat,
      bead: bead.id,
      worktree: join(options.worktreesRoot, decision.polecat),
      branch: polecatBranch(decision.polecat, bead.id),
      agent: launch.preset,
      // Which bead these two are about: a person's later sling of this polecat keeps them (it
      // copies the record), and they must not be taken for that sling's.
      scheduler_agent: decision.agent,
      scheduled_by: 'scheduler',
      scheduled_bead: bead.id,
      argv: [...launch.argv],
      type_in: launch.typeIn ?? null,
      status: 'starting',
      pid: null,
      exit_code: null,
      created_at: previous?.created_at ?? at,
      updated_at: at,
    };
    const tx = new BeadTransaction(state, modelContext(decision.polecat, options.prefix, { now: () => at }));
    if (!expectHeld) tx.claim(bead.id);
    // The reason is on the scheduler's record (its `last` decision); a pinned restart while the
    // scheduler was never started has no such entity, and its polecat record carries it.
    const current = readScheduler(state);
    const last = { at, kind: decision.kind, bead: bead.id, polecat: decision.polecat, agent: decision.agent, match: decision.match, reason: decision.reason };
    const changes = [...tx.changes, putPolecat(polecat, 'sling', current ? `${bead.id} slung to ${decision.polecat} (${decision.agent}) by the scheduler` : decision.reason)];
    if (current) changes.push(putScheduler({ ...current, updated_at: at, failures: 0, last }, 'schedule', decision.reason));
    return { changes, value: { polecat, previous } };
  };
}

/** Busy polecats counted against `max`: those with a live program or being started, pinned beads' aside. */
export function busyCount(state: StateView, now: number): number {
  let busy = 0;
  for (const polecat of allPolecats(state)) {
    if (!isBusy(planPolecat(polecat), now)) continue;
    const bead = polecat.bead ? (state.get('beads', polecat.bead) as Bead | undefined) : undefined;
    if (bead && isPinned(bead)) continue;
    busy++;
  }
  return busy;
}

/** A start that failed: the claim undone, the polecat as it was (or exited), the failure on the scheduler. */
export function undoTake(decision: Decision, previous: Polecat | undefined, options: { prefix: string; now: number; why: string }): Mutator<void> {
  return (state) => {
    const at = new Date(options.now).toISOString();
    const tx = new BeadTransaction(state, modelContext(decision.polecat, options.prefix, { now: () => at }));
    const bead = state.get('beads', decision.bead) as Bead | undefined;
    if (decision.kind !== 'rework' && bead?.assignee === decision.polecat && bead.status !== 'closed') tx.release(decision.bead);
    const polecat = getPolecat(state, decision.polecat);
    const restored = previous ?? (polecat ? { ...polecat, bead: null, status: 'exited', pid: null } : undefined);
    const changes = [...tx.changes];
    if (restored) changes.push(putPolecat({ ...restored, updated_at: at }, 'sling-failed', `${decision.polecat} could not be started: ${options.why}`));
    const current = readScheduler(state);
    if (current) changes.push(putScheduler({ ...current, updated_at: at, failures: (current.failures ?? 0) + 1 }, 'schedule-failed', `the scheduler could not start ${decision.bead} on ${decision.polecat}: ${options.why}`));
    return { changes, value: undefined };
  };
}
