import type { Entity, Mutator, StateView } from '../../src/journal/types.js';

/** A hand-made journal state for pure tests: entities by kind. */
export function stateOf(entities: Record<string, Entity[]>, seq = 1): StateView {
  const kinds = new Map(Object.entries(entities).map(([kind, list]) => [kind, new Map(list.map((e) => [e.id, e]))]));
  return {
    seq,
    get: (kind, id) => kinds.get(kind)?.get(id),
    all: (kind) => kinds.get(kind) ?? new Map(),
  };
}

/** An in-memory journal for pure tests: mutators applied in turn, as `journal.mutate` would. */
export function memoryState(): { state: StateView; apply<T>(mutator: Mutator<T>): T } {
  const kinds = new Map<string, Map<string, Entity>>();
  let seq = 0;
  const state: StateView = {
    get seq() {
      return seq;
    },
    get: (kind, id) => kinds.get(kind)?.get(id),
    all: (kind) => kinds.get(kind) ?? new Map(),
  };
  return {
    state,
    apply(mutator) {
      const { changes, value } = mutator(state);
      for (const change of changes) {
        const map = kinds.get(change.kind) ?? new Map<string, Entity>();
        kinds.set(change.kind, map);
        if (change.entity) map.set(change.id, change.entity);
        else map.delete(change.id);
        seq++;
      }
      return value;
    },
  };
}
