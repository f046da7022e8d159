import type { Entity, JournalRecord, Mutator, StateView } from '../../../src/journal/types.js';

/**
 * An in-memory stand-in for the journal, for pure tests of the model: it applies a mutator's
 * changes to maps and keeps the records, as the real journal does (without disk or lock).
 */
export class MemoryJournal {
  private readonly kinds = new Map<string, Map<string, Entity>>();
  readonly log: JournalRecord[] = [];
  private clock = Date.parse('2026-01-01T00:00:00.000Z');

  constructor(private readonly writer = 'overseer') {}

  read(): StateView {
    const kinds = this.kinds;
    const seq = this.log.length;
    return {
      seq,
      get: (kind, id) => kinds.get(kind)?.get(id),
      all: (kind) => kinds.get(kind) ?? new Map(),
    };
  }

  /** Runs `fn` like `journal.mutate`: a throw leaves everything as it was. */
  mutate<T>(fn: Mutator<T>, writer = this.writer): T {
    const snapshot = new Map([...this.kinds].map(([kind, entities]) => [kind, new Map(entities)]));
    const view: StateView = { seq: this.log.length, get: (kind, id) => snapshot.get(kind)?.get(id), all: (kind) => snapshot.get(kind) ?? new Map() };
    const { changes, value } = fn(view);
    for (const change of changes) {
      const entities = this.kinds.get(change.kind) ?? new Map<string, Entity>();
      this.kinds.set(change.kind, entities);
      if (change.entity) entities.set(change.id, change.entity);
      else entities.delete(change.id);
      this.clock += 1000;
      this.log.push({
        v: 1,
        seq: this.log.length + 1,
        ts: new Date(this.clock).toISOString(),
        writer,
        pid: 1,
        action: change.action,
        kind: change.kind,
        id: change.id,
        ...(change.entity ? { entity: change.entity } : { deleted: true as const }),
        ...(change.summary ? { summary: change.summary } : {}),
      });
    }
    return value;
  }
}

/** A clock for model contexts: each call one second later, from a fixed start. */
export function tickingClock(start = '2026-01-01T00:00:00.000Z'): () => string {
  let at = Date.parse(start);
  return () => {
    at += 1000;
    return new Date(at).toISOString();
  };
}

/** A seeded random source (mulberry32), so ids in tests are reproducible. */
export function seededRandom(seed = 42): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
