import { isCitadelError } from '../common/errors.js';
import { queriesOf } from '../journal/query-index.js';
import type { StateView } from '../journal/types.js';
import { EVERYONE } from '../model/address.js';
import type { Bead } from '../model/bead.js';
import { inbox } from '../model/mail.js';
import { POLECAT_KIND } from '../model/polecat.js';
import { beadsOf, getBead } from '../model/query.js';
import { moleculeStatus, type StepState } from '../molecules/status.js';

/**
 * The facts `citadel prime` tells an agent, gathered from one read of the journal. Pure: it
 * takes the state view and returns plain data (prime.ts renders it). Agents run prime at every
 * session start (and `citadel hook` on SessionStart), so it reads only what it shows: through
 * the query index (docs/journal.md) the polecat, its bead, the actor's claimed work, the
 * bead's newest merge request and the unread count are a few indexed rows, never the whole
 * town; it imports model modules one by one, never the barrel (docs/cli.md, "Startup").
 */

/**
 * A bead as prime reads it: the model's bead, plus what a molecule's pour may put on a step
 * (its `## Step:` name, what done means, the gates that must pass), read loosely.
 */
export type PrimeBead = Bead & {
  readonly step?: string;
  readonly acceptance?: string;
  readonly gate?: string;
  readonly gates?: readonly string[];
  readonly role?: string;
  readonly failures?: readonly { readonly at: string; readonly by: string; readonly reason: string }[];
  readonly releases?: readonly { readonly at: string; readonly by: string; readonly holder?: string; readonly reason: string }[];
};

/** One step of the bead's molecule instance, as `citadel molecule status` sees it. */
export interface PrimeStep {
  id: string;
  /** The step's name in the molecule (its `## Step:` id). */
  name: string;
  state: StepState;
  holder: string | null;
  /** The names of the steps it needs, each with whether it is closed. */
  needs: { name: string; closed: boolean }[];
  isCurrent: boolean;
}

export interface PrimeMolecule {
  id: string;
  title: string;
  steps: PrimeStep[];
  /** The steps that become ready once the current one closes. */
  unblocks: string[];
}

export interface PrimeContext {
  actor: string;
  town: string;
  polecat?: { name: string; worktree?: string; branch?: string } | undefined;
  bead?: PrimeBead | undefined;
  molecule?: PrimeMolecule | undefined;
  /** The bead's latest merge request, when the refinery bounced it: what to rework. */
  bounced?: { id: string; reason: string } | undefined;
  unreadMail: number;
}

export interface PrimeWho {
  actor: string;
  town: string;
  /** The bead to prime for (`--bead`, `$CITADEL_BEAD`); else the polecat's, else the actor's claimed one. */
  beadId?: string | undefined;
  /** `$CITADEL_POLECAT`: primes as a polecat even before the daemon has recorded one. */
  polecat?: string | undefined;
}


const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** Gathers what prime shows for `who` from the journal's state. An unknown `beadId` is not_found. */
export function primeContext(state: StateView, who: PrimeWho): PrimeContext {
  const polecatEntity = state.get(POLECAT_KIND, who.polecat ?? who.actor);
  const polecat =
    polecatEntity || who.polecat
      ? { name: who.polecat ?? who.actor, worktree: str(polecatEntity?.worktree), branch: str(polecatEntity?.branch) }
      : undefined;
  const beads = beadsOf(state) as ReadonlyMap<string, PrimeBead>;
  const beadId = who.beadId ?? str(polecatEntity?.bead);
  const bead = beadId ? (getBead(state, beadId) as PrimeBead) : claimedBy(beads, who.actor);
  return {
    actor: who.actor,
    town: who.town,
    polecat,
    bead,
    molecule: bead ? moleculeOf(state, bead) : undefined,
    bounced: bead ? lastBounce(beads, bead) : undefined,
    unreadMail: unreadCount(beads, who.actor),
  };
}

/**
 * How many messages `reader` has not read (the model's `inbox` rule). Through the query index
 * the rows are counted, not read: to the reader, plus to everyone from someone else.
 */
function unreadCount(beads: ReadonlyMap<string, PrimeBead>, reader: string): number {
  const queries = queriesOf(beads);
  if (!queries) return inbox(beads, reader, { unread: true }).length;
  const unread = { lacks: { field: 'read_by' as const, value: reader } };
  const direct = queries.count({ fields: { type: 'message', to: reader }, ...unread });
  return reader === EVERYONE ? direct : direct + queries.count({ fields: { type: 'message', to: EVERYONE }, not: { from: [reader] }, ...unread });
}

/** The actor's most recently touched in-progress work. */
function claimedBy(beads: ReadonlyMap<string, PrimeBead>, actor: string): PrimeBead | undefined {
  const queries = queriesOf(beads);
  // Through the query index: only the actor's in-progress rows (checked again below).
  const candidates = queries ? (queries.iterate({ fields: { assignee: actor, status: 'in_progress' } }) as Iterable<PrimeBead>) : beads.values();
  let best: PrimeBead | undefined;
  for (const bead of candidates) {
    if (bead.assignee !== actor || bead.status !== 'in_progress' || bead.type === 'message' || bead.type === 'merge_request') continue;
    if (!best || bead.updated_at > best.updated_at) best = bead;
  }
  return best;
}

/**
 * The bead's newest merge request, if it was rejected. Through the query index: the requests
 * filed for the bead (its `bead` column), newest first, the first one only — a seek, however
 * old the bead and however many requests were filed since.
 */
function lastBounce(beads: ReadonlyMap<string, PrimeBead>, bead: PrimeBead): { id: string; reason: string } | undefined {
  const queries = queriesOf(beads);
  let last: PrimeBead | undefined;
  if (queries) {
    for (const mr of queries.iterate({ fields: { type: 'merge_request', bead: bead.id } }, 'newest') as Iterable<PrimeBead>) {
      if (mr.type === 'merge_request' && mr.bead === bead.id) {
        last = mr;
        break;
      }
    }
  } else {
    for (const mr of beads.values()) {
      if (mr.type === 'merge_request' && mr.bead === bead.id && (!last || mr.created_at > last.created_at)) last = mr;
    }
  }
  return last?.state === 'rejected' ? { id: last.id, reason: last.reason ?? 'no reason given' } : undefined;
}

/** The step's place in its molecule instance (the same view as `citadel molecule status`). */
function moleculeOf(state: StateView, bead: PrimeBead): PrimeMolecule | undefined {
  if (bead.type !== 'step') return undefined;
  let status;
  try {
    status = moleculeStatus(state, bead.id);
  } catch (error) {
    if (isCitadelError(error)) return undefined; // a step bead made by hand, outside any molecule
    throw error;
  }
  const names = new Map(status.steps.map((step) => [step.id, step.step]));
  const steps = status.steps.map(
    (step): PrimeStep => ({
      id: step.id,
      name: step.step,
      state: step.state,
      holder: step.holder,
      needs: step.needs.map((id) => ({ name: names.get(id) ?? id, closed: !step.waiting_on.includes(id) })),
      isCurrent: step.id === bead.id,
    }),
  );
  const unblocks = status.steps
    .filter((step) => step.state === 'pending' && step.waiting_on.length === 1 && step.waiting_on[0] === bead.id)
    .map((step) => step.step);
  return { id: status.id, title: status.title, steps, unblocks };
}
