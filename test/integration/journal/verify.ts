import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Entity, JournalRecord } from '../../../src/journal/index.js';
import { open } from './helpers.js';
import type { Ack } from './processes.js';

/**
 * Checks a store after writers are gone: seqs exactly 1..head, no (writer, i) twice, every
 * acknowledged mutation present at its seq, each writer's own order kept, the state equal to
 * a rebuild from the records, and (when given) the projection files equal to that state.
 */
export function verifyStore(dir: string, acks: readonly Ack[], projections?: string): { seq: number; records: JournalRecord[] } {
  const journal = open(dir, projections ? { projections } : {});
  try {
    const view = journal.read();
    const records = [...journal.records()];
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: view.seq }, (_, k) => k + 1));
    const bySeq = new Map(records.map((r) => [r.seq, r]));
    const seen = new Map<string, number>();
    const lastIndex = new Map<string, number>();
    for (const record of records) {
      if (record.kind !== 'items') continue;
      const entity = record.entity as Entity & { writer: string; i: number };
      const key = `${entity.writer}#${entity.i}`;
      expect(seen.has(key), `duplicate mutation ${key} at seqs ${seen.get(key)} and ${record.seq}`).toBe(false);
      seen.set(key, record.seq);
      const last = lastIndex.get(entity.writer) ?? -1;
      expect(entity.i, `writer ${entity.writer} out of order at seq ${record.seq}`).toBeGreaterThan(last);
      lastIndex.set(entity.writer, entity.i);
    }
    for (const ack of acks) {
      const at = seen.get(`${ack.writer}#${ack.i}`);
      expect(at, `acknowledged mutation ${ack.writer}#${ack.i} (seq ${ack.seq}) lost`).toBeDefined();
      expect(at === ack.seq || bySeq.get(ack.seq)?.batch !== undefined).toBe(true);
    }
    const rebuilt = new Map<string, Map<string, Entity>>();
    for (const record of records) {
      const map = rebuilt.get(record.kind) ?? new Map<string, Entity>();
      rebuilt.set(record.kind, map);
      if (record.deleted) map.delete(record.id);
      else map.set(record.id, record.entity!);
    }
    for (const [kind, map] of rebuilt) {
      expect(new Map(view.all(kind))).toEqual(map);
      if (projections) {
        const kindDir = join(projections, kind);
        const files = existsSync(kindDir) ? readdirSync(kindDir).filter((n) => n.endsWith('.json')) : [];
        const onDisk = new Map(files.map((n) => [n.slice(0, -5), JSON.parse(readFileSync(join(kindDir, n), 'utf8')) as Entity]));
        expect(onDisk, `projections of ${kind} differ from a rebuild`).toEqual(map);
      }
    }
    return { seq: view.seq, records };
  } finally {
    journal.close();
  }
}
