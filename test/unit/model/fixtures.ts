import { modelContext, type Bead, type ModelContext } from '../../../src/model/index.js';
import { MemoryJournal, seededRandom, tickingClock } from './memory-journal.js';

/** A fresh in-memory town and a way to make contexts for any actor on one shared clock. */
export function memoryTown(seed = 7): { journal: MemoryJournal; as: (actor: string) => ModelContext } {
  const journal = new MemoryJournal();
  const now = tickingClock();
  const random = seededRandom(seed);
  return { journal, as: (actor) => modelContext(actor, 'ct', { now, random }) };
}

let counter = 0;

/** A bead built by hand, for graph tests of pure functions. */
export function bead(id: string, fields: Partial<Bead> = {}): Bead {
  counter++;
  return {
    id,
    type: 'task',
    title: `bead ${id}`,
    body: '',
    status: 'open',
    priority: 2,
    labels: [],
    assignee: null,
    needs: [],
    parent: null,
    created_by: 'overseer',
    created_at: new Date(Date.parse('2026-01-01T00:00:00Z') + counter * 1000).toISOString(),
    updated_at: '2026-01-01T00:00:00.000Z',
    closed_at: null,
    close_reason: null,
    ...fields,
  } as Bead;
}

export const byId = (...beads: Bead[]): Map<string, Bead> => new Map(beads.map((b) => [b.id, b]));
