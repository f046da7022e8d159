import type { Entity, StateView } from '../journal/types.js';

/**
 * The facts `citadel prime` tells an agent, gathered from one read of the journal. Pure: it
 * takes the state view and returns plain data (prime.ts renders it).
 */

/** The fields of a bead prime reads (docs/cli.md, "JSON bead"), all optional: it reads, never validates. */
export interface PrimeBead {
  id: string;
  type?: string;
  title?: string;
  body?: string;
  status?: string;
  priority?: number;
  assignee?: string | null;
  needs?: string[];
  parent?: string | null;
  labels?: string[];
  /** Molecule steps: what done means, the check that must pass, the step's name in its molecule. */
  acceptance?: string;
  gate?: string;
  step?: string;
  molecule?: string;
  created_at?: string;
  updated_at?: string;
  read_by?: string[];
  to?: string;
  from?: string;
}

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
  unreadMail: number;
}

export interface PrimeWho {
  actor: string;
  town: string;
  /** The bead to prime for (`--bead`, `$CITADEL_BEAD`); else the polecat's, else the actor's claimed one. */
  beadId?: string | undefined;
}

const beadKind = 'beads';
const polecatKind = 'polecats';

const asBead = (entity: Entity | undefined): PrimeBead | undefined => entity as unknown as PrimeBead | undefined;
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** Gathers what prime shows for `who` from the journal's state. */
export function primeContext(state: StateView, who: PrimeWho): PrimeContext {
  const polecatEntity = state.get(polecatKind, who.actor);
  const polecat = polecatEntity
    ? { name: who.actor, worktree: str(polecatEntity.worktree), branch: str(polecatEntity.branch) }
    : undefined;
  const beadId = who.beadId ?? str(polecatEntity?.bead);
  const beads = state.all(beadKind);
  const bead = beadId ? asBead(beads.get(beadId)) : claimedBy(beads, who.actor);
  return {
    actor: who.actor,
    town: who.town,
    polecat,
    bead: bead ?? (beadId ? { id: beadId, status: 'unknown' } : undefined),
    molecule: bead ? moleculeOf(beads, bead) : undefined,
    unreadMail: unreadFor(beads, who.actor),
  };
}

/** The actor's most recently touched in-progress bead. */
function claimedBy(beads: ReadonlyMap<string, Entity>, actor: string): PrimeBead | undefined {
  let best: PrimeBead | undefined;
  for (const entity of beads.values()) {
    const bead = asBead(entity)!;
    if (bead.assignee !== actor || bead.status !== 'in_progress' || bead.type === 'message') continue;
    if (!best || (bead.updated_at ?? '') > (best.updated_at ?? '')) best = bead;
  }
  return best;
}

/** The step's place in its molecule: its epic's steps in order, with their needs and states. */
function moleculeOf(beads: ReadonlyMap<string, Entity>, bead: PrimeBead): PrimeMolecule | undefined {
  const epic = bead.parent ? asBead(beads.get(bead.parent)) : undefined;
  if (!epic || (bead.type !== 'step' && epic.type !== 'epic')) return undefined;
  const siblings = [...beads.values()].map((e) => asBead(e)!).filter((b) => b.parent === epic.id && b.type !== 'message');
  if (siblings.length < 2 && bead.type !== 'step') return undefined;
  siblings.sort(byStepOrder);
  const byId = new Map(siblings.map((b) => [b.id, b]));
  const nameOf = (id: string): string => {
    const other = byId.get(id) ?? asBead(beads.get(id));
    return other ? stepName(other) : id;
  };
  const isClosed = (id: string): boolean => asBead(beads.get(id))?.status === 'closed';
  const steps = siblings.map((step): PrimeStep => {
    const needs = (step.needs ?? []).map((id) => ({ name: nameOf(id), closed: isClosed(id) }));
    return {
      bead: step,
      name: stepName(step),
      needs,
      ready: step.status === 'open' && !step.assignee && needs.every((n) => n.closed),
      isCurrent: step.id === bead.id,
    };
  });
  const unblocks = siblings
    .filter((s) => s.status !== 'closed' && (s.needs ?? []).includes(bead.id))
    .filter((s) => (s.needs ?? []).every((id) => id === bead.id || isClosed(id)))
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
  return (a.created_at ?? a.id).localeCompare(b.created_at ?? b.id) || a.id.localeCompare(b.id);
}

/** Mail to the actor (or to everyone) that the actor has not read, nor sent. */
function unreadFor(beads: ReadonlyMap<string, Entity>, actor: string): number {
  let count = 0;
  for (const entity of beads.values()) {
    const mail = asBead(entity)!;
    if (mail.type !== 'message' || mail.from === actor) continue;
    if (mail.to !== actor && mail.to !== '@all') continue;
    if (!(mail.read_by ?? []).includes(actor)) count++;
  }
  return count;
}
