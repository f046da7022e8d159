import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkLine, scanRecords } from './frame.js';
import { readHead } from './head.js';
import { isLockHeld, readLockHolder, type LockHolder } from './lock.js';
import { checkProjections } from './projections.js';
import { allSegments, readSegment, type SegmentRef } from './segments.js';
import { listSnapshots, loadSnapshot } from './snapshot.js';
import { EntityState } from './state.js';
import type { Entity, JournalRecord } from './types.js';
import { isAlive } from '../common/process.js';

/** What `citadel doctor` reports about a journal (also its `--json` shape). */
export interface DoctorReport {
  readonly dir: string;
  /** True when nothing needs attention. */
  readonly ok: boolean;
  readonly segments: readonly SegmentReport[];
  /** Records in the journal (quarantine markers excluded). */
  readonly events: number;
  /** The last seq in the journal. */
  readonly seq: number;
  readonly entities: { readonly total: number; readonly byKind: Readonly<Record<string, number>> };
  /** HEAD.json, the cached head and projection watermark (null when missing or damaged). */
  readonly head: { readonly seq: number; readonly projected: number; readonly snapshot: number } | null;
  /** How many records the projection files are behind the journal (null when unknown). */
  readonly watermarkLag: number | null;
  readonly tornTails: readonly TornTail[];
  readonly corrupt: readonly CorruptRecord[];
  /** Records quarantined by an earlier `--repair` (markers in the journal). */
  readonly quarantined: number;
  readonly snapshots: readonly { readonly name: string; readonly seq: number; readonly ok: boolean }[];
  readonly projections: { readonly checked: number; readonly missing: readonly string[]; readonly stale: readonly string[]; readonly extra: readonly string[] } | null;
  readonly lock: { readonly held: boolean; readonly holder: (LockHolder & { readonly alive: boolean }) | null };
  /** One sentence per problem found, with what to do about it. */
  readonly problems: readonly string[];
}

export interface SegmentReport {
  readonly name: string;
  readonly archived: boolean;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly records: number;
  readonly bytes: number;
}

export interface TornTail {
  readonly segment: string;
  readonly offset: number;
  readonly bytes: number;
  /** Still at the end of the segment (the next writer sets it aside), or already kept in `file`. */
  readonly pending: boolean;
  readonly file?: string;
}

export interface CorruptRecord {
  readonly segment: string;
  readonly offset: number;
  readonly seq: number;
  readonly reason: string;
}

/** One full pass over every segment, archived and live: good records in order, damage located. */
export interface FullScan {
  readonly segments: SegmentRef[];
  readonly reports: SegmentReport[];
  /** Good records of complete mutations, in file order, with the segment they were found in. */
  readonly records: { record: JournalRecord; segment: SegmentRef }[];
  readonly corrupt: CorruptRecord[];
  readonly pendingTail: TornTail | undefined;
}

/**
 * Scans everything, never stopping at the first damage: after a bad spot it resynchronises on
 * the next line that is a whole, checksummed record, so one report lists all of it.
 */
export function scanAll(dir: string, read: (segment: SegmentRef) => Buffer): FullScan {
  const segments = allSegments(dir);
  const reports: SegmentReport[] = [];
  const records: FullScan['records'] = [];
  const corrupt: CorruptRecord[] = [];
  let pendingTail: TornTail | undefined;
  let expected = segments[0]?.firstSeq ?? 1;
  if (segments[0] && segments[0].firstSeq !== 1) {
    corrupt.push({ segment: segments[0].name, offset: 0, seq: 1, reason: `the oldest segment starts at seq ${segments[0].firstSeq}` });
  }
  segments.forEach((segment, index) => {
    const bytes = read(segment);
    const newest = index === segments.length - 1;
    if (segment.firstSeq !== expected && index > 0) {
      corrupt.push({ segment: segment.name, offset: 0, seq: expected, reason: `segment starts at seq ${segment.firstSeq}, expected ${expected}` });
      expected = segment.firstSeq;
    }
    let count = 0;
    let first = 0;
    let pos = 0;
    for (;;) {
      const result = scanRecords(bytes, pos, expected - 1);
      for (const record of result.records) {
        records.push({ record, segment });
        if (!first) first = record.seq;
        count++;
      }
      expected = result.lastSeq + 1;
      const stop = result.stop;
      if (!stop) break;
      const resume = nextGoodLine(bytes, stop.offset);
      if (resume === undefined && newest && stop.unfinished) {
        pendingTail = { segment: segment.name, offset: stop.offset, bytes: bytes.length - stop.offset, pending: true };
        break;
      }
      corrupt.push({ segment: segment.name, offset: stop.offset, seq: stop.seq, reason: stop.reason });
      if (resume === undefined) break;
      if (resume.record.seq < expected) {
        pos = resume.end + 1; // a repeated seq: skip that line
      } else {
        expected = resume.record.seq; // a gap (reported above): go on from the next whole record
        pos = resume.start;
      }
    }
    reports.push({ name: segment.name, archived: segment.archived, firstSeq: first || segment.firstSeq, lastSeq: expected - 1, records: count, bytes: bytes.length });
  });
  return { segments, reports, records, corrupt, pendingTail };
}

/** The next line after the one starting at `from` that is a whole record on its own. */
function nextGoodLine(bytes: Buffer, from: number): { start: number; end: number; record: JournalRecord } | undefined {
  let pos = bytes.indexOf(10, from);
  while (pos !== -1 && pos < bytes.length) {
    const start = pos + 1;
    const end = bytes.indexOf(10, start);
    if (end === -1) return undefined;
    if (end > start) {
      const check = checkLine(bytes, start, end);
      if (check.ok) return { start, end, record: check.record };
    }
    pos = end;
  }
  return undefined;
}

/** Inspects a journal without changing anything (no lock taken). */
export function inspectJournal(dir: string, options: { projections?: string | undefined } = {}): DoctorReport {
  const scan = scanAll(dir, (segment) => readSegment(segment, 0));
  const state = new EntityState();
  const snapshotList = existsSync(dir) ? listSnapshots(dir) : [];
  const snapshotSeqs = new Map(snapshotList.map((s) => [s.seq, s.name]));
  const snapshots: { name: string; seq: number; ok: boolean }[] = [];
  let quarantined = 0;
  let events = 0;
  const compareSnapshot = (): void => {
    const name = snapshotSeqs.get(state.seq);
    if (!name) return;
    snapshotSeqs.delete(state.seq);
    snapshots.push({ name, seq: state.seq, ok: snapshotMatches(dir, name, state) });
  };
  compareSnapshot();
  for (const { record } of scan.records) {
    state.apply(record);
    if (record.kind.startsWith('_')) quarantined++;
    else events++;
    compareSnapshot();
  }
  for (const [seq, name] of snapshotSeqs) snapshots.push({ name, seq, ok: false });
  snapshots.sort((a, b) => b.seq - a.seq);

  const byKind: Record<string, number> = {};
  for (const [kind, map] of state.entries()) byKind[kind] = map.size;
  const head = existsSync(dir) ? readHead(dir) : undefined;
  const projections = options.projections && scan.corrupt.length === 0 ? checkProjections(options.projections, state) : null;
  const held = isLockHeld(dir);
  const holder = readLockHolder(dir);
  const tornTails: TornTail[] = [...(scan.pendingTail ? [scan.pendingTail] : []), ...brokenFiles(dir)];

  const problems: string[] = [];
  for (const c of scan.corrupt) {
    problems.push(`corrupt record in ${c.segment} at byte ${c.offset} (seq ${c.seq}): ${c.reason}; \`citadel doctor --repair\` quarantines it`);
  }
  if (scan.pendingTail) problems.push(`torn tail of ${scan.pendingTail.bytes} bytes at the end of ${scan.pendingTail.segment} (a write cut short); the next write or \`citadel doctor --repair\` sets it aside`);
  const lag = head && options.projections ? state.seq - head.projected : null;
  if (options.projections && !head && state.seq > 0) problems.push('HEAD.json (the watermark cache) is missing or damaged; the next write rebuilds it, or run `citadel doctor --repair`');
  if (lag !== null && lag !== 0) problems.push(`projection files lag the journal by ${lag} record(s); the next read or write catches them up, or run \`citadel doctor --repair\``);
  if (projections && (projections.missing.length || projections.stale.length || projections.extra.length)) {
    problems.push(`projection files differ from the journal (${projections.missing.length} missing, ${projections.stale.length} stale, ${projections.extra.length} left over); \`citadel doctor --repair\` rewrites them`);
  }
  for (const s of snapshots) if (!s.ok) problems.push(`snapshot ${s.name} does not match the journal; it is skipped on load, and \`citadel doctor --repair\` replaces it`);
  return {
    dir,
    ok: problems.length === 0,
    segments: scan.reports,
    events,
    seq: state.seq,
    entities: { total: state.count(), byKind },
    head: head ? { seq: head.seq, projected: head.projected, snapshot: head.snapshot } : null,
    watermarkLag: lag,
    tornTails,
    corrupt: scan.corrupt,
    quarantined,
    snapshots,
    projections,
    lock: { held, holder: held && holder ? { ...holder, alive: isAlive(holder.pid) } : null },
    problems,
  };
}

function snapshotMatches(dir: string, name: string, state: EntityState): boolean {
  const snapshot = loadSnapshot(dir, name, true);
  if (!snapshot || snapshot.header.seq !== state.seq) return false;
  const live = new Map<string, Map<string, Entity>>(state.entries());
  for (const [kind, map] of snapshot.kinds) {
    const mine = live.get(kind) ?? new Map<string, Entity>();
    if (mine.size !== map.size) return false;
    for (const [id, entity] of map) if (JSON.stringify(mine.get(id)) !== JSON.stringify(entity)) return false;
  }
  for (const [kind, map] of live) if (map.size && !snapshot.kinds.has(kind)) return false;
  return true;
}

function brokenFiles(dir: string): TornTail[] {
  if (!existsSync(dir)) return [];
  const out: TornTail[] = [];
  for (const name of readdirSync(dir)) {
    const match = /^(seg-\d{12}\.jsonl)\.(\d+)\.broken$/.exec(name);
    if (match) out.push({ segment: match[1]!, offset: Number(match[2]), bytes: statSync(join(dir, name)).size, pending: false, file: name });
  }
  return out;
}
