import type { StateView } from '../journal/types.js';
import { beadsOf, childrenOf, getBead, inbox, whyNotReady, type Bead } from '../model/index.js';

/**
 * The facts `citadel prime` tells an agent, gathered from one read of the journal. Pure: it
 * takes the state view and returns plain data (prime.ts renders it).
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
};

export interface PrimeStep {
  bead: PrimeBead;
  /** The step's name in the molecule (its `## Step:` id), else its title. */
  name: string;
  /** The names of the steps it needs, each with whether it is closed. */
  needs: { name: string; closed: boolean }[];
  /** Open, every need closed, nobody on it. */
  ready: boolean;
  isCurrent: boolean;
}

export interface PrimeMolecule {
  epic: PrimeBead;
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
}

const polecatKind = 'polecats';

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** Gathers what prime shows for `who` from the journal's state. An unknown `beadId` is not_found. */
export function primeContext(state: StateView, who: PrimeWho): PrimeContext {
  const polecatEntity = state.get(polecatKind, who.actor);
  const polecat = polecatEntity
    ? { name: who.actor, worktree: str(polecatEntity.worktree), branch: str(polecatEntity.branch) }
    : undefined;
  const beads = beadsOf(state) as ReadonlyMap<string, PrimeBead>;
  const beadId = who.beadId ?? str(polecatEntity?.bead);
  const bead = beadId ? (getBead(state, beadId) as PrimeBead) : claimedBy(beads, who.actor);
  return {
    actor: who.actor,
    town: who.town,
    polecat,
    bead,
    molecule: bead ? moleculeOf(beads, bead) : undefined,
    bounced: bead ? lastBounce(beads, bead.id) : undefined,
    unreadMail: inbox(beads, who.actor, { unread: true }).length,
  };
}

/** The actor's most recently touched in-progress work. */
function claimedBy(beads: ReadonlyMap<string, PrimeBead>, actor: string): PrimeBead | undefined {
  let best: PrimeBead | undefined;
  for (const bead of beads.values()) {
    if (bead.assignee !== actor || bead.status !== 'in_progress' || bead.type === 'message' || bead.type === 'merge_request') continue;
    if (!best || bead.updated_at > best.updated_at) best = bead;
  }
  return best;
}

/** The bead's newest merge request, if it was rejected. */
function lastBounce(beads: ReadonlyMap<string, PrimeBead>, beadId: string): { id: string; reason: string } | undefined {
  let last: PrimeBead | undefined;
  for (const mr of beads.values()) {
    if (mr.type === 'merge_request' && mr.bead === beadId && (!last || mr.created_at > last.created_at)) last = mr;
  }
  return last?.state === 'rejected' ? { id: last.id, reason: last.reason ?? 'no reason given' } : undefined;
}

/** The step's place in its molecule: its epic's steps in order, with their needs and states. */
function moleculeOf(beads: ReadonlyMap<string, PrimeBead>, bead: PrimeBead): PrimeMolecule | undefined {
  const epic = bead.parent ? beads.get(bead.parent) : undefined;
  if (!epic || epic.type !== 'epic') return undefined;
  const siblings = (childrenOf(beads, epic.id) as PrimeBead[]).filter((b) => b.type !== 'message' && b.type !== 'merge_request');
  if (bead.type !== 'step' && !epic.molecule) return undefined;
  siblings.sort(byStepOrder);
  const nameOf = (id: string): string => {
    const other = beads.get(id);
    return other ? stepName(other) : id;
  };
  const isClosed = (id: string): boolean => beads.get(id)?.status === 'closed';
  const steps = siblings.map(
    (step): PrimeStep => ({
      bead: step,
      name: stepName(step),
      needs: step.needs.map((id) => ({ name: nameOf(id), closed: isClosed(id) })),
      ready: whyNotReady(step, beads) === null,
      isCurrent: step.id === bead.id,
    }),
  );
  const unblocks = siblings
    .filter((s) => s.status !== 'closed' && s.needs.includes(bead.id))
    .filter((s) => s.needs.every((id) => id === bead.id || isClosed(id)))
    .map(stepName);
  return { epic, steps, unblocks };
}

function stepName(bead: PrimeBead): string {
  return str(bead.step) ?? str(bead.title) ?? bead.id;
}

/** Steps are `<epic>.<n>`: order by n numerically, then by id. */
function byStepOrder(a: PrimeBead, b: PrimeBead): number {
  const n = (bead: PrimeBead): number => Number(/\.(\d+)$/.exec(bead.id)?.[1] ?? Number.NaN);
  const [na, nb] = [n(a), n(b)];
  if (!Number.isNaN(na) && !Number.isNaN(nb) && na !== nb) return na - nb;
  return a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id);
}
