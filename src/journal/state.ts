import type { Entity, JournalRecord, StateView } from './types.js';

const EMPTY: ReadonlyMap<string, Entity> = new Map();

/**
 * The live entities at one seq, built by applying records (full snapshots and tombstones).
 * Views handed out stay consistent: a kind's map is copied before it is changed when a view
 * may still hold it (copy-on-write per kind), so a reader never sees a half-applied mutation.
 */
export class EntityState {
  seq = 0;
  private readonly kinds = new Map<string, Map<string, Entity>>();
  /** Kinds whose current map is referenced by a view handed out. */
  private readonly shared = new Set<string>();

  static from(seq: number, kinds: Iterable<[string, Map<string, Entity>]>): EntityState {
    const state = new EntityState();
    state.seq = seq;
    for (const [kind, map] of kinds) state.kinds.set(kind, map);
    return state;
  }

  apply(record: JournalRecord): void {
    this.seq = record.seq;
    if (record.kind.startsWith('_')) return; // journal-internal records (quarantine markers)
    let map = this.kinds.get(record.kind);
    if (!map) {
      map = new Map();
      this.kinds.set(record.kind, map);
    } else if (this.shared.has(record.kind)) {
      map = new Map(map);
      this.kinds.set(record.kind, map);
      this.shared.delete(record.kind);
    }
    if (record.deleted || !record.entity) map.delete(record.id);
    else map.set(record.id, record.entity);
  }

  get(kind: string, id: string): Entity | undefined {
    return this.kinds.get(kind)?.get(id);
  }

  kindNames(): string[] {
    return [...this.kinds.keys()];
  }

  entries(): IterableIterator<[string, Map<string, Entity>]> {
    return this.kinds.entries();
  }

  count(): number {
    let n = 0;
    for (const map of this.kinds.values()) n += map.size;
    return n;
  }

  /** A view for a mutator: valid only while it runs (nothing is applied meanwhile), so no copy is needed. */
  transientView(): StateView {
    const seq = this.seq;
    return {
      seq,
      get: (kind, id) => this.kinds.get(kind)?.get(id),
      all: (kind) => this.kinds.get(kind) ?? EMPTY,
    };
  }

  /** A frozen view at the current seq; later applies do not show through it. */
  view(): StateView {
    const seq = this.seq;
    const maps = new Map(this.kinds);
    for (const kind of maps.keys()) this.shared.add(kind);
    return {
      seq,
      get: (kind, id) => maps.get(kind)?.get(id),
      all: (kind) => maps.get(kind) ?? EMPTY,
    };
  }
}
