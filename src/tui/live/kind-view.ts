import { queriesOf } from '../../journal/query-index.js';
import type { Entity, StateView } from '../../journal/types.js';

/**
 * `state` for code that walks a small kind (`fed` cursors, polecats, hosts): through the query
 * index, `all(kind)` is that kind's rows read by one query. Walking `all(kind)` of an
 * index-backed view directly would make the journal's handle load the whole state into memory
 * — every kind, 100k beads on a big town (~1.4 s) — and keep it there, after which nothing in
 * the process reads through the index any more (issue 18). Without the index, `state` itself.
 */
export function kindView(state: StateView): StateView {
  if (!queriesOf(state.all('beads'))) return state;
  const read = new Map<string, ReadonlyMap<string, Entity>>();
  return {
    seq: state.seq,
    get: (kind, id) => state.get(kind, id),
    all(kind) {
      let map = read.get(kind);
      if (!map) {
        const all = state.all(kind);
        const queries = queriesOf(all);
        map = queries ? new Map(queries.find({}).map((entity) => [entity.id, entity])) : all;
        read.set(kind, map);
      }
      return map;
    },
  };
}
