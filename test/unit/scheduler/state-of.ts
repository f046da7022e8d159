import type { Entity, StateView } from '../../../src/journal/types.js';
import type { Bead } from '../../../src/model/bead.js';

/** A journal state holding these beads, polecats and (optionally) the scheduler's switch. */
export function stateOf(beads: Bead[], polecats: Entity[] = [], scheduler?: Entity): StateView {
  const kinds = new Map<string, Map<string, Entity>>([
    ['beads', new Map(beads.map((b) => [b.id, b as unknown as Entity]))],
    ['polecats', new Map(polecats.map((p) => [p.id, p]))],
    ['scheduler', new Map(scheduler ? [['town', scheduler]] : [])],
  ]);
  return { seq: 1, get: (kind, id) => kinds.get(kind)?.get(id), all: (kind) => kinds.get(kind) ?? new Map() };
}
