import { CitadelError } from '../common/errors.js';
import { copyFileSync, renameSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { highWater, replaySurvey, validSnapshots } from './doctor.js';
import { fsyncDir, writeFileAtomic } from './files.js';
import { bodyOf, chainOfBody, GENESIS } from './chain.js';
import { BODY_START, encodeRecords } from './frame.js';
import { readHead } from './head.js';
import { openJournal } from './journal.js';
import { StoreLock } from './lock.js';
import { isProjected, projectionFile, readProjectionEntities, unlinkIfPresent, type ProjectedKinds } from './projections.js';
import { INDEX_FILE, QueryIndex } from './query-index.js';
import { existsSync } from 'node:fs';
import { logRecovery, setAsideTornTail } from './recovery.js';
import { ensureDir } from './safefs.js';
import { readSegment, segmentLabel, segmentName, type SegmentRef } from './segments.js';
import { compressArchived, compressSegment } from './archive.js';
import { listSnapshots, loadSnapshot, writeSnapshotFile, type LoadedSnapshot } from './snapshot.js';
import { EntityState } from './state.js';
import { REPAIR_WRITER, surveyJournal, type Survey } from './survey.js';
import type { Entity, JournalRecord } from './types.js';

/** Where `--repair` keeps the original bytes of every segment and snapshot it replaces. Never deleted. */
export const QUARANTINE_DIR = 'quarantine';

/**
 * `citadel doctor --repair`: the explicit way past damage, which never deletes the last copy of
 * an acknowledged record. Under the store lock it:
 *
 * 1. sets aside a torn tail (never acknowledged);
 * 2. plans every seq up to the high-water mark (the max of the segments, HEAD.json and valid
 *    snapshots): a good record stays; a lost one becomes a quarantine marker (kind `_journal`),
 *    so seqs stay contiguous and are never reused. A mutation that lost records is quarantined
 *    whole, unless a valid snapshot covers it: then its intact records stay and the snapshot
 *    supplies the rest;
 * 3. recovers what the journal lost from the best evidence: the newest valid snapshot (its
 *    difference from the replay is written into the lost slots it covers, so the snapshot
 *    still matches and is kept), then projection files newer than both, appended as new
 *    `recover` records after the old high-water mark;
 * 4. rewrites only the segments whose content changes (originals copied to `quarantine/`),
 *    moves aside snapshots that no longer match, then rebuilds projections, HEAD and a
 *    checkpoint. Every step goes to `recovery.log` and to the returned lines.
 */
export async function repairJournal(dir: string, options: { writer: string; projections?: string | undefined; projectKinds?: readonly string[] | undefined; lockTimeoutMs?: number }): Promise<string[]> {
  const actions: string[] = [];
  const lock = new StoreLock(dir, options.writer);
  await lock.acquire(options.lockTimeoutMs ?? 30_000);
  try {
    let survey = surveyJournal(dir);
    if (survey.pendingTail) {
      const segment = survey.segments.find((s) => s.name === survey.pendingTail!.segment)!;
      const event = setAsideTornTail(segment.path, survey.pendingTail.offset);
      actions.push(`set aside a torn tail of ${event.bytes} bytes from ${segment.name} into ${event.file}`);
      survey = surveyJournal(dir);
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    repairLocked(dir, survey, options.projections, options.projectKinds ? new Set(options.projectKinds) : undefined, stamp, actions);
    // An older town's plain archived segments, all compressed now (checkpoints convert a few at a time).
    const compressed = compressArchived(dir, true, [], Infinity);
    if (compressed.length) actions.push(`compressed ${compressed.length} archived segment(s) (${compressed[0]}${compressed.length > 1 ? ` … ${compressed.at(-1)}` : ''})`);
  } finally {
    lock.close();
  }
  // Rebuild what derives from the journal: state, projection files, HEAD, a fresh checkpoint.
  const journal = openJournal(dir, { writer: options.writer, projections: options.projections, ...(options.projectKinds ? { projectKinds: options.projectKinds } : {}) });
  try {
    const rebuilt = await journal.rebuildDerived();
    actions.push(`rebuilt state at seq ${rebuilt.seq}${options.projections ? `, projections (${rebuilt.written} written)` : ''}, HEAD.json and a checkpoint`);
  } finally {
    journal.close();
  }
  return actions;
}

/** The query index's entities and the seq they stand at; undefined when there is none or it cannot be read (a cache: no evidence then). */
function readIndexEntities(dir: string): { seq: number; kinds: Map<string, Map<string, Entity>> } | undefined {
  if (!existsSync(join(dir, INDEX_FILE))) return undefined;
  let index: QueryIndex | undefined;
  try {
    index = QueryIndex.open(dir);
    const found = index?.snapshotAll();
    return found?.position ? { seq: found.position.seq, kinds: found.kinds } : undefined;
  } catch {
    return undefined;
  } finally {
    try {
      index?.close();
    } catch {
      // a cache
    }
  }
}

/** What goes at one seq of the repaired journal: the original line kept, or a new record. */
/** The most lost seqs `--repair` writes markers for (a crash loses one mutation, a lost segment a few thousand). */
export const MAX_LOST_SEQS = 1_000_000;

type Slot = { keep: Buffer; record: JournalRecord } | { write: JournalRecord };

function repairLocked(dir: string, survey: Survey, projectionsRoot: string | undefined, projected: ProjectedKinds, stamp: string, actions: string[]): void {
  const quarantine = join(dir, QUARANTINE_DIR);
  const snapshots = validSnapshots(dir);
  const evidence = highWater(dir, snapshots);
  const high = Math.max(evidence.seq, survey.lastSeq);
  if (high - survey.lastSeq > MAX_LOST_SEQS) {
    // Each lost seq becomes a marker record: a HEAD.json (or snapshot header) claiming seq 3e9
    // — forged in a cloned town, say — would have repair fill the disk. Lost history that large
    // is not a crash's doing; the claim is the damage, and it names a cache that can go.
    throw new CitadelError(
      'corrupt',
      `${evidence.source} says the journal reached seq ${evidence.seq}, but its segments end at seq ${survey.lastSeq}: ` +
        `${high - survey.lastSeq} lost records is more than repair will stand in for (${MAX_LOST_SEQS}). ` +
        `If ${evidence.source} is not genuine, move it out of ${dir} and run \`citadel doctor\` again`,
    );
  }
  const { base, covered } = replaySurvey(survey, snapshots);
  // Where the plan starts: the first segment's first seq when a snapshot makes older history
  // redundant, else seq 1 (lost history becomes markers in a new first segment).
  const start = covered ? survey.firstSeq : 1;
  const best = snapshots[0];
  const source = new Map<number, string>(); // seq → where a marker's original went
  const plan = new Map<number, Slot>();
  const bytesOf = new Map<string, Buffer>();
  const original = (ref: SegmentRef): Buffer => {
    let bytes = bytesOf.get(ref.name);
    if (!bytes) bytesOf.set(ref.name, (bytes = readSegment(ref, 0)));
    return bytes;
  };
  const coveredBy = (seq: number): boolean => best !== undefined && seq <= best.header.seq;
  const batchOf = new Map<number, number>(); // lost seqs inside a kept mutation: its size
  const dropped = new Set<number>();
  for (const m of survey.incomplete) {
    const keep = coveredBy(m.last) && m.last - m.first + 1 === m.size;
    for (let seq = m.first; seq <= m.last; seq++) {
      if (keep) batchOf.set(seq, m.size);
      else dropped.add(seq);
    }
  }
  for (let seq = start; seq <= high; seq++) {
    const found = survey.bySeq.get(seq);
    if (found && !dropped.has(seq)) plan.set(seq, { keep: original(found.segment).subarray(found.offset, found.end - 1), record: found.record });
    else {
      const batch = batchOf.get(seq);
      const where = found ? found.segment.name : (survey.segments.find((s) => s.firstSeq <= seq && seq <= endOf(survey, s, high))?.name ?? 'a missing segment');
      source.set(seq, where);
      plan.set(seq, { write: marker(seq, `${QUARANTINE_DIR}/${where}.${stamp}`, batch) });
    }
  }
  const lostSeqs = [...source.keys()];

  // The snapshot's part: what it holds that the replay of the plan lacks at its seq.
  const replayTo = (to: number, from: LoadedSnapshot | undefined = base): EntityState => {
    const state = from ? EntityState.from(from.header.seq, cloneKinds(from.kinds)) : new EntityState();
    for (let seq = state.seq + 1; seq <= to; seq++) {
      const slot = plan.get(seq);
      if (slot) state.apply('keep' in slot ? slot.record : slot.write);
      else state.seq = seq;
    }
    return state;
  };
  // By kind and id, in the order they will be appended (a Map: a town can have a million of
  // them, and a search per projection file would be quadratic).
  const appended = new Map<string, { kind: string; id: string; entity: Entity | null; from: string }>();
  const entityKey = (kind: string, id: string): string => `${kind}\0${id}`;
  if (best && lostSeqs.some((seq) => seq <= best.header.seq)) {
    const at = best.header.seq;
    const diff = difference(best.kinds, replayTo(at));
    // The last run of lost seqs the snapshot covers: no surviving record after it (up to the
    // snapshot) touches an entity in the difference, so its records can stand there.
    const slots: number[] = [];
    for (let seq = at; seq >= start; seq--) {
      if (source.has(seq)) slots.push(seq);
      else if (slots.length) break;
    }
    slots.reverse();
    const name = basename(best.file);
    if (diff.length <= slots.length) {
      diff.forEach((change, i) => {
        const seq = slots[i]!;
        plan.set(seq, { write: recovered(seq, change.kind, change.id, change.entity, name, batchOf.get(seq)) });
        source.delete(seq);
      });
      if (diff.length) {
        actions.push(`recovered ${diff.length} entit${diff.length === 1 ? 'y' : 'ies'} from ${name} into the lost seqs it covers (${slots[0]}..${slots[diff.length - 1]})`);
        logRecovery(dir, { action: 'recover', file: name, detail: `${diff.length} entities written at seqs ${slots[0]}..${slots[diff.length - 1]}` });
      }
    } else {
      // Too much to fit: the snapshot plus the records after it is the best state; what the
      // plan's end lacks of it is appended after the high-water mark.
      const bestState = replayTo(high, best);
      for (const change of difference(new Map(bestState.entries()), replayTo(high))) appended.set(entityKey(change.kind, change.id), { ...change, from: name });
    }
  }
  // The state the plan gives at its end, with what is appended so far.
  const final = replayTo(high);
  for (const change of appended.values()) final.apply(recovered(final.seq, change.kind, change.id, change.entity, change.from));

  // Projection files newer than both: entities the journal and the snapshots lost.
  const lostAny = lostSeqs.length > 0 || high > survey.lastSeq || !covered;
  const removed: string[] = [];
  if (projectionsRoot) {
    const head = readHead(dir);
    const trusted = !head || head.projected >= high;
    const skip = new Set([relative(projectionsRoot, dir).split('/')[0] ?? '', 'run', 'logs', 'worktrees', 'molecules']);
    const tombstoned = lastTouch(survey);
    const lastLost = lostSeqs.reduce((max, seq) => Math.max(max, seq), 0); // not a spread: millions of lost seqs
    for (const [kind, map] of readProjectionEntities(projectionsRoot, skip, projected)) {
      for (const [id, entity] of map) {
        const mine = appended.get(entityKey(kind, id))?.entity ?? final.get(kind, id);
        if (mine && JSON.stringify(mine) === JSON.stringify(entity)) continue;
        const touch = tombstoned.get(`${kind}\0${id}`);
        if (!mine && touch?.deleted && touch.seq > lastLost) {
          // The journal deleted it after anything it lost, and the file outlived the deletion
          // (a crash between the two): that file is stale. Had records been lost after the
          // deletion, one of them may have made it again: then the file is the copy to keep.
          unlinkIfPresent(projectionFile(projectionsRoot, kind, id));
          removed.push(`${kind}/${id}.json`);
          continue;
        }
        if (!mine || (lostAny && trusted)) {
          appended.delete(entityKey(kind, id));
          appended.set(entityKey(kind, id), { kind, id, entity, from: `projection file ${kind}/${id}.json` });
        }
      }
    }
  }
  // The query index: every live entity as of its position, written after each append like the
  // projection files, so it holds what a cut journal lost. For the kinds without projection files
  // (beads, issue 18) it is the last copy besides the snapshot; it is read here before the
  // rebuild below resets it.
  const indexed = readIndexEntities(dir);
  if (indexed) {
    const trusted = indexed.seq >= high;
    const tombstoned = lastTouch(survey);
    const lastLost = lostSeqs.reduce((max, seq) => Math.max(max, seq), 0);
    for (const [kind, map] of indexed.kinds) {
      if (projectionsRoot && isProjected(projected, kind)) continue; // weighed as files above
      for (const [id, entity] of map) {
        const mine = appended.get(entityKey(kind, id))?.entity ?? final.get(kind, id);
        if (mine && JSON.stringify(mine) === JSON.stringify(entity)) continue;
        const touch = tombstoned.get(`${kind}\0${id}`);
        if (!mine && touch?.deleted && touch.seq > lastLost) continue; // deleted after anything lost: stale
        if (!mine || (lostAny && trusted)) {
          appended.delete(entityKey(kind, id));
          appended.set(entityKey(kind, id), { kind, id, entity, from: 'the query index' });
        }
      }
    }
  }
  if (removed.length) {
    actions.push(`removed ${removed.length} projection file(s) of entities the journal deleted: ${removed.slice(0, 5).join(', ')}${removed.length > 5 ? ', …' : ''}`);
    logRecovery(dir, { action: 'remove-projection', detail: removed.join(' ') });
  }
  if (appended.size) {
    const n = appended.size;
    [...appended.values()].forEach((change, i) => plan.set(high + 1 + i, { write: recovered(high + 1 + i, change.kind, change.id, change.entity, change.from, n > 1 ? n : undefined) }));
    const bySource = new Map<string, number>();
    for (const change of appended.values()) {
      const key = change.from.startsWith('projection file') ? 'projection files' : change.from;
      bySource.set(key, (bySource.get(key) ?? 0) + 1);
    }
    const from = [...bySource].map(([where, count]) => `${count} from ${where}`).join(', ');
    actions.push(`recovered ${n} entit${n === 1 ? 'y' : 'ies'} the journal lost (${from}) as new records at seqs ${high + 1}..${high + n}`);
    logRecovery(dir, { action: 'recover', detail: `${n} entities (${from}) appended at seqs ${high + 1}..${high + n}` });
  }
  if (high > survey.lastSeq) actions.push(`the journal ended at seq ${survey.lastSeq} but ${evidence.source} says ${evidence.seq}: seqs ${survey.lastSeq + 1}..${high} are now quarantine markers, so no seq is reused`);

  writePlan(dir, survey, plan, start, quarantine, stamp, source, actions);
  settleSnapshots(dir, quarantine, stamp, actions);
}

/** The last seq a segment holds in the plan: up to the next segment, or the high-water mark for the newest. */
function endOf(survey: Survey, segment: SegmentRef, high: number): number {
  const next = survey.segments[survey.segments.indexOf(segment) + 1];
  return next ? next.firstSeq - 1 : high;
}

/** Writes the planned records into segments: existing ones keep their names and ranges; the newest takes what follows. */
function writePlan(dir: string, survey: Survey, plan: ReadonlyMap<number, Slot>, start: number, quarantine: string, stamp: string, lost: ReadonlyMap<number, string>, actions: string[]): void {
  let last = start - 1;
  for (const seq of plan.keys()) if (seq > last) last = seq; // not a spread: a plan holds every seq
  // The hash chain (docs/journal.md, "Hash chain") goes on through what repair writes: each
  // written record's prev is the chain value of the slot before it, and one written in place
  // of a lost record carries `replaces`, the value the lost one had (the next kept record's
  // prev), so the gap is recorded in the chain rather than hidden. Written records in a stretch
  // from before the chain (the next kept record has no prev) stay unchained, like it.
  const chained = new Map<number, boolean>();
  let nextKeptChained = true;
  for (let seq = last; seq >= start; seq--) {
    const slot = plan.get(seq);
    if (slot && 'keep' in slot) nextKeptChained = slot.record.prev !== undefined;
    chained.set(seq, nextKeptChained);
  }
  const first = plan.get(start);
  let chain: string | undefined = start === 1 ? GENESIS : (first && 'keep' in first ? first.record.prev : (survey.bySeq.get(start)?.record.prev ?? snapshotChainAt(dir, start - 1)));
  const segments: SegmentRef[] = [...survey.segments];
  if (start < (segments[0]?.firstSeq ?? Infinity) || (!segments.length && last >= start)) {
    segments.unshift({ name: segmentName(start), firstSeq: start, path: join(dir, segmentName(start)), archived: false });
  }
  segments.forEach((segment, index) => {
    const from = segment.firstSeq;
    const to = index + 1 < segments.length ? segments[index + 1]!.firstSeq - 1 : last;
    const parts: Buffer[] = [];
    let markers = 0;
    for (let seq = Math.max(from, start); seq <= to; seq++) {
      const slot = plan.get(seq);
      if (!slot) continue;
      if ('keep' in slot) {
        parts.push(Buffer.from('\n'), slot.keep, Buffer.from('\n'));
        chain = chainOfBody(slot.keep.subarray(BODY_START, slot.keep.length - 1), slot.record);
      } else {
        const after = plan.get(seq + 1);
        const replaces = after && 'keep' in after ? after.record.prev : undefined;
        const record = replaces !== undefined ? { ...slot.write, replaces } : slot.write;
        const encoded = encodeRecords([record], chained.get(seq) ? (chain ?? GENESIS) : undefined);
        parts.push(encoded.buffer);
        chain = encoded.chain ?? chainOfBody(Buffer.from(JSON.stringify(record)), record);
        if (lost.has(seq)) markers++;
      }
    }
    const bytes = Buffer.concat(parts);
    let before: Buffer | undefined;
    try {
      before = readSegment(segment, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (before?.equals(bytes)) return;
    // A compressed archive is rewritten compressed, under its own name (the original file, as it was, to quarantine/).
    const file = basename(segment.path);
    if (before) {
      ensureDir(quarantine);
      copyFileSync(segment.path, join(quarantine, `${file}.${stamp}`));
      fsyncDir(quarantine);
    }
    writeFileAtomic(segment.path, segment.compressed ? compressSegment(bytes) : bytes, { fsync: true });
    fsyncDir(dirname(segment.path));
    const kept = before ? `original kept as ${QUARANTINE_DIR}/${file}.${stamp}` : 'a new segment';
    logRecovery(dir, { action: 'quarantine', segment: segment.name, ...(before ? { file: `${file}.${stamp}` } : {}), detail: `${markers} record(s) replaced by quarantine markers` });
    actions.push(`rewrote ${segment.compressed ? segmentLabel(segment) : segment.name} (${kept}): ${markers} lost record(s) now quarantine markers`);
  });
}

/** Keeps each valid snapshot that matches the repaired journal (its position updated); moves the others aside. */
function settleSnapshots(dir: string, quarantine: string, stamp: string, actions: string[]): void {
  const survey = surveyJournal(dir);
  const valid = validSnapshots(dir);
  const matching = new Set<string>();
  const bySeq = new Map(valid.map((v) => [v.header.seq, v]));
  const { base } = replaySurvey(survey, valid, (state) => {
    const snap = bySeq.get(state.seq);
    if (snap && difference(snap.kinds, state).length === 0) matching.add(snap.file);
  });
  // With the oldest segments gone, snapshots older than the replay's base that still cover
  // them cannot be compared with a replay; their own checks passed, so they stay.
  if (base) for (const v of valid) if (v.header.seq < base.header.seq && v.header.seq >= survey.firstSeq - 1) matching.add(v.file);
  for (const { name } of listSnapshots(dir)) {
    const file = join(dir, name);
    const snap = valid.find((v) => v.file === file);
    if (snap && matching.has(file)) {
      const found = survey.bySeq.get(snap.header.seq);
      const at = found ? { segment: found.segment.name, offset: found.end } : { segment: snap.header.segment, offset: snap.header.offset };
      // Its chain value follows the repaired journal (a slot it covers may have been rewritten).
      const chain = found ? chainOfBody(bodyOf(readSegment(found.segment, 0), found.offset, found.end - 1), found.record) : snap.header.chain;
      if (at.segment !== snap.header.segment || at.offset !== snap.header.offset || chain !== snap.header.chain) {
        writeSnapshotFile(dir, snap, at, chain);
        actions.push(`kept snapshot ${name} (it covers the damage); its journal position is now ${at.segment} at byte ${at.offset}`);
      }
      continue;
    }
    ensureDir(quarantine);
    renameSync(file, join(quarantine, `${name}.${stamp}`));
    logRecovery(dir, { action: 'drop-snapshot', file: name, detail: snap ? 'does not match the repaired journal' : 'failed its checks' });
    actions.push(`moved snapshot ${name} to ${QUARANTINE_DIR}/ (${snap ? 'it does not match the repaired journal' : 'it failed its checks'})`);
  }
}

/** For each (kind, id) the journal's surviving records touch, the last one: its seq, and whether it deleted. */
function lastTouch(survey: Survey): Map<string, { seq: number; deleted: boolean }> {
  const out = new Map<string, { seq: number; deleted: boolean }>();
  const seqs = [...survey.bySeq.keys()].sort((a, b) => a - b);
  for (const seq of seqs) {
    const { record } = survey.bySeq.get(seq)!;
    if (!record.kind.startsWith('_')) out.set(`${record.kind}\0${record.id}`, { seq, deleted: record.deleted === true });
  }
  return out;
}

/** The changes that turn `state` into `target`: upserts where they differ, deletes where target lacks one. */
function difference(target: ReadonlyMap<string, Map<string, Entity>>, state: EntityState): { kind: string; id: string; entity: Entity | null }[] {
  const out: { kind: string; id: string; entity: Entity | null }[] = [];
  for (const [kind, map] of target) {
    for (const [id, entity] of map) {
      const mine = state.get(kind, id);
      if (!mine || JSON.stringify(mine) !== JSON.stringify(entity)) out.push({ kind, id, entity });
    }
  }
  for (const [kind, map] of state.entries()) for (const id of map.keys()) if (!target.get(kind)?.has(id)) out.push({ kind, id, entity: null });
  return out;
}

function cloneKinds(kinds: ReadonlyMap<string, Map<string, Entity>>): Map<string, Map<string, Entity>> {
  return new Map([...kinds].map(([kind, map]) => [kind, new Map(map)]));
}

/** A record written by repair for an entity recovered from a snapshot or a projection file. */
function recovered(seq: number, kind: string, id: string, entity: Entity | null, from: string, batch?: number): JournalRecord {
  return {
    v: 1,
    seq,
    ts: new Date().toISOString(),
    writer: REPAIR_WRITER,
    pid: process.pid,
    action: 'recover',
    kind,
    id,
    ...(entity ? { entity } : { deleted: true as const }),
    summary: `recovered by \`citadel doctor --repair\` from ${from}`,
    ...(batch ? { batch } : {}),
  };
}

/** The record standing in for a lost seq: applies to no entity, shows in doctor's count. */
function marker(seq: number, file: string, batch?: number): JournalRecord {
  const id = `quarantined-${seq}`;
  return {
    v: 1,
    seq,
    ts: new Date().toISOString(),
    writer: REPAIR_WRITER,
    pid: process.pid,
    action: 'quarantined',
    kind: '_journal',
    id,
    entity: { id, original: file },
    summary: `record ${seq} was lost or damaged and quarantined; original bytes (if any) in ${file}`,
    ...(batch ? { batch } : {}),
  };
}

/** The chain value a snapshot recorded at `seq` (undefined when none did). */
function snapshotChainAt(dir: string, seq: number): string | undefined {
  for (const { name, seq: at } of listSnapshots(dir)) if (at === seq) return loadSnapshot(dir, name, true)?.header.chain;
  return undefined;
}
