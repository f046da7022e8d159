import { closeSync, fsyncSync, openSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Change, Journal, JournalRecord, Mutator } from '../journal/types.js';
import { BEAD_KIND } from '../model/bead.js';
import { ensurePrivateDir, writePrivate } from '../town/private-fs.js';
import { formatClock, tagOf, tick, type Hlc } from './clock.js';
import { clockOf, FED_KIND, isFederationKind, META_KIND, metaOf, SELF_ID, selfOf, type MetaEntity, type SelfEntity } from './entities.js';
import { chunkText, type FedEvent } from './events.js';
import { valueHash } from './fields.js';
import { townTag } from './ids.js';

/** Thrown by a mutator whose premise moved (a write came in between): the caller redoes its step. */
export class Retry extends Error {}

/**
 * Export: this town's own bead records since `fed/self.exported`, as events with fresh clock
 * ticks, written to `outbox/gen-<n>.jsonl`; then one mutation records the new `exported`, the
 * clock and the per-field tags. It only succeeds when nothing was written since the walk
 * (`state.seq` still the walked head), so "exported == seq" means every local write is out.
 * Materialization keeps that too, so the records an export walks are only this town's own.
 */
export interface ExportResult {
  readonly events: number;
  readonly gen: number;
}

export const outboxDir = (federation: string): string => join(federation, 'outbox');
export const outboxFile = (federation: string, gen: number): string => join(outboxDir(federation), `gen-${gen}.jsonl`);

export async function exportLocal(journal: Journal, town: string, federation: string, now: () => number = Date.now): Promise<ExportResult> {
  const state = journal.read();
  const self = selfOf(state);
  const from = self?.exported ?? 0;
  const head = state.seq;
  if (self && from >= head) return { events: 0, gen: self.gen };
  let clock: Hlc = clockOf(self);
  const metas = new Map<string, MetaEntity>();
  const events: FedEvent[] = [];
  const gen = (self?.gen ?? 0) + 1;

  let group: JournalRecord[] = [];
  const flush = (): void => {
    const federationOwn = group.some((record) => isFederationKind(record.kind));
    for (const record of group) {
      if (federationOwn || record.kind !== BEAD_KIND || !record.entity) continue; // tombstones of beads do not travel
      const entity = record.entity;
      const meta = metas.get(record.id) ?? metaOf(state, record.id);
      const fields: Record<string, readonly [string, string]> = { ...(meta?.f ?? {}) };
      const changed: Record<string, string> = {};
      const hashes = new Map<string, string>();
      for (const key of new Set([...Object.keys(entity), ...Object.keys(fields)])) {
        const hash = valueHash(entity[key]);
        const previous = fields[key]?.[0] ?? '-';
        if (hash !== previous) {
          changed[key] = previous;
          hashes.set(key, hash);
        }
      }
      if (hashes.size === 0) continue;
      clock = tick(clock, now());
      const tag = tagOf(clock, town);
      for (const [key, hash] of hashes) {
        if (hash === '-') delete fields[key];
        else fields[key] = [hash, tag];
      }
      metas.set(record.id, { id: record.id, f: fields });
      events.push({ o: town, s: record.seq, c: formatClock(clock), k: record.kind, i: record.id, a: record.action, w: record.writer, t: record.ts, ...(record.summary ? { sm: record.summary } : {}), e: entity, f: changed });
    }
    group = [];
  };
  for (const record of journal.records(from + 1)) {
    if (record.seq > head) break;
    group.push(record);
    if (group.length >= (group[0]!.batch ?? 1)) flush();
  }
  flush();

  if (events.length > 0) {
    ensurePrivateDir(outboxDir(federation));
    const file = outboxFile(federation, gen);
    const temp = `${file}.tmp`;
    writePrivate(temp, chunkText({ chunk: 1, town, gen, from: events[0]!.s, to: events[events.length - 1]!.s, events: events.length }, events));
    const fd = openSync(temp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  }

  const record: Mutator<void> = (current) => {
    if (current.seq !== head) throw new Retry('the journal moved during the export');
    const now = selfOf(current);
    if ((now?.exported ?? 0) !== from || (now?.gen ?? 0) !== (self?.gen ?? 0)) throw new Retry('another sync exported meanwhile');
    const changes: Change[] = [];
    for (const meta of metas.values()) changes.push({ kind: META_KIND, id: meta.id, entity: meta, action: 'fed-export' });
    const next: SelfEntity = {
      id: SELF_ID,
      town,
      tag: townTag(town),
      clock: formatClock(clock),
      exported: head + changes.length + 1,
      gen: events.length > 0 ? gen : (self?.gen ?? 0),
    };
    changes.unshift({ kind: FED_KIND, id: SELF_ID, entity: next, action: 'fed-export', summary: `exported ${events.length} events (gen ${next.gen})` });
    return { changes, value: undefined };
  };
  await journal.mutate(record);
  return { events: events.length, gen: events.length > 0 ? gen : (self?.gen ?? 0) };
}
