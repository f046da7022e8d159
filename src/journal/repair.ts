import { copyFileSync, mkdirSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { scanAll } from './doctor.js';
import { fsyncDir, writeFileAtomic } from './files.js';
import { encodeRecords } from './frame.js';
import { openJournal } from './journal.js';
import { readSegment } from './segments.js';
import { StoreLock } from './lock.js';
import { logRecovery, setAsideTornTail } from './recovery.js';
import type { SegmentRef } from './segments.js';
import { listSnapshots, loadSnapshot } from './snapshot.js';
import type { JournalRecord } from './types.js';

/** Where `--repair` keeps the original bytes of every segment and snapshot it replaces. Never deleted. */
export const QUARANTINE_DIR = 'quarantine';

/**
 * `citadel doctor --repair`: the explicit way past damage. Under the store lock it sets aside a
 * torn tail; for corrupt records it copies each damaged segment whole into `quarantine/`, then
 * rewrites it with its good records and, in place of each lost seq, a quarantine marker record
 * (kind `_journal`), so seqs stay contiguous and the loss stays visible. A mutation that lost
 * any of its records is quarantined whole (never half-applied). Snapshots taken after the
 * damage are moved aside, then the state, projections, HEAD and a fresh checkpoint are rebuilt.
 * Every step is logged in `recovery.log`. Returns one line per action.
 */
export async function repairJournal(dir: string, options: { writer: string; projections?: string | undefined; lockTimeoutMs?: number }): Promise<string[]> {
  const actions: string[] = [];
  const lock = new StoreLock(dir, options.writer);
  await lock.acquire(options.lockTimeoutMs ?? 30_000);
  try {
    const scan = scanAll(dir, (segment) => readSegment(segment, 0));
    if (scan.pendingTail) {
      const segment = scan.segments.at(-1)!;
      const event = setAsideTornTail(segment.path, scan.pendingTail.offset);
      actions.push(`set aside a torn tail of ${event.bytes} bytes from ${segment.name} into ${event.file}`);
    }
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const quarantine = join(dir, QUARANTINE_DIR);
    let firstLost = Infinity;
    let rewrittenNames = new Set<string>();
    if (scan.corrupt.length) {
      const rewritten = rewriteSegments(dir, scan.segments, scan.records.map((r) => r.record), new Set(scan.corrupt.map((c) => c.segment)), quarantine, stamp);
      for (const line of rewritten.actions) actions.push(line);
      firstLost = rewritten.firstLost;
      rewrittenNames = rewritten.names;
    }
    // Snapshots that do not match the journal any more (taken after the damage, or damaged) go aside.
    for (const snapshot of listSnapshots(dir)) {
      const loaded = loadSnapshot(dir, snapshot.name, true);
      if (loaded && snapshot.seq < firstLost && !rewrittenNames.has(loaded.header.segment)) continue;
      mkdirSync(quarantine, { recursive: true });
      renameSync(join(dir, snapshot.name), join(quarantine, `${snapshot.name}.${stamp}`));
      logRecovery(dir, { action: 'drop-snapshot', file: snapshot.name, detail: loaded ? 'taken after damaged records' : 'failed its checks' });
      actions.push(`moved snapshot ${snapshot.name} to ${QUARANTINE_DIR}/ (${loaded ? 'it included quarantined records' : 'it failed its checks'})`);
    }
  } finally {
    lock.close();
  }
  // Rebuild what derives from the journal: state, projection files, HEAD, a fresh checkpoint.
  const journal = openJournal(dir, { writer: options.writer, projections: options.projections });
  try {
    const rebuilt = await journal.rebuildDerived();
    actions.push(`rebuilt state at seq ${rebuilt.seq}${options.projections ? `, projections (${rebuilt.written} written, ${rebuilt.leftOver} left over)` : ''}, HEAD.json and a checkpoint`);
  } finally {
    journal.close();
  }
  return actions;
}

function rewriteSegments(
  dir: string,
  segments: readonly SegmentRef[],
  found: readonly JournalRecord[],
  damaged: ReadonlySet<string>,
  quarantine: string,
  stamp: string,
): { actions: string[]; firstLost: number; names: Set<string> } {
  const actions: string[] = [];
  const names = new Set<string>();
  // Keep the first record seen for each seq, then only whole mutations.
  const bySeq = new Map<number, JournalRecord>();
  for (const record of found) if (!bySeq.has(record.seq)) bySeq.set(record.seq, record);
  const last = Math.max(0, ...bySeq.keys());
  for (let seq = 1; seq <= last; seq++) {
    const record = bySeq.get(seq);
    if (!record?.batch) continue;
    const size = record.batch;
    // Find the run of this batch starting at `seq`: every member present with the same size.
    let members = 0;
    while (members < size && bySeq.get(seq + members)?.batch === size) members++;
    if (members < size) for (let k = 0; k < members; k++) bySeq.delete(seq + k);
    seq += Math.max(members, 1) - 1;
  }
  let firstLost = Infinity;
  segments.forEach((segment, index) => {
    const from = segment.firstSeq;
    const to = index + 1 < segments.length ? segments[index + 1]!.firstSeq - 1 : last;
    const records: JournalRecord[] = [];
    let lost = 0;
    for (let seq = from; seq <= to; seq++) {
      const record = bySeq.get(seq);
      if (record) records.push(record);
      else {
        lost++;
        firstLost = Math.min(firstLost, seq);
        records.push(marker(seq, `${QUARANTINE_DIR}/${segment.name}.${stamp}`));
      }
    }
    if (!lost && !damaged.has(segment.name)) return;
    names.add(segment.name);
    mkdirSync(quarantine, { recursive: true });
    const kept = join(quarantine, `${segment.name}.${stamp}`);
    copyFileSync(segment.path, kept);
    const bytes = Buffer.concat(records.map((r) => encodeRecords([r]).buffer));
    writeFileAtomic(segment.path, bytes, { fsync: true });
    fsyncDir(dirname(segment.path));
    fsyncDir(quarantine);
    logRecovery(dir, { action: 'quarantine', segment: segment.name, file: basename(kept), detail: `${lost} record(s) replaced by quarantine markers` });
    actions.push(`quarantined ${lost} record(s) of ${segment.name}: original kept as ${QUARANTINE_DIR}/${basename(kept)}, segment rewritten with markers`);
  });
  return { actions, firstLost, names };
}

/** The record standing in for a lost seq: applies to no entity, shows in doctor's count. */
function marker(seq: number, file: string): JournalRecord {
  const id = `quarantined-${seq}`;
  return {
    v: 1,
    seq,
    ts: new Date().toISOString(),
    writer: 'citadel doctor --repair',
    pid: process.pid,
    action: 'quarantined',
    kind: '_journal',
    id,
    entity: { id, original: file },
    summary: `record ${seq} was damaged and quarantined; its original bytes are in ${file}`,
  };
}
