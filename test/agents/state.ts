import type { Entity, StateView } from '../../src/journal/types.js';

/** A hand-made journal state for pure tests: entities by kind. */
export function stateOf(entities: Record<string, Entity[]>, seq = 1): StateView {
  const kinds = new Map(Object.entries(entities).map(([kind, list]) => [kind, new Map(list.map((e) => [e.id, e]))]));
  return {
    seq,
    get: (kind, id) => kinds.get(kind)?.get(id),
    all: (kind) => kinds.get(kind) ?? new Map(),
  };
}
