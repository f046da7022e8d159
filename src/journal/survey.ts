import { checkLine } from './frame.js';
import { allSegments, readSegment, type SegmentRef } from './segments.js';
import type { JournalRecord } from './types.js';

/**
 * A full survey of the segments for `citadel doctor` and `--repair`: every line checked on its
 * own (never stopping at damage), each good record placed by its seq, each bad line, gap or
 * repeat reported once at its own byte offset, and mutations grouped so that a batch missing
 * one record is told apart from its intact members. Reads only; decides nothing.
 */
export interface FoundRecord {
  readonly record: JournalRecord;
  readonly segment: SegmentRef;
  /** Byte offset of the line (after its leading newline) and just after its trailing newline. */
  readonly offset: number;
  readonly end: number;
}

export interface CorruptRecord {
  readonly segment: string;
  readonly offset: number;
  readonly seq: number;
  readonly reason: string;
}

export interface SegmentReport {
  readonly name: string;
  readonly archived: boolean;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly records: number;
  /** The plain segment's bytes (a compressed one's once read back). */
  readonly bytes: number;
  /** Stored compressed in `archive/` (`seg-….jsonl.cz`). */
  readonly compressed?: true;
}

export interface TornTail {
  readonly segment: string;
  readonly offset: number;
  readonly bytes: number;
  /** Still at the end of the segment (the next writer sets it aside), or already kept in `file`. */
  readonly pending: boolean;
  readonly file?: string;
}

/** One mutation of `size` records as found: its span of seqs `first..last`, which of them are lost. */
export interface Mutation {
  readonly first: number;
  readonly last: number;
  readonly size: number;
  /** Seqs of the mutation that no good record holds. */
  readonly lost: readonly number[];
}

export interface Survey {
  readonly segments: SegmentRef[];
  readonly reports: SegmentReport[];
  /** Good records by seq (the first found when a seq repeats). */
  readonly bySeq: Map<number, FoundRecord>;
  readonly corrupt: CorruptRecord[];
  readonly pendingTail: TornTail | undefined;
  /** The first seq the segments start at (1 unless the oldest segments are gone). */
  readonly firstSeq: number;
  /** The last seq any good record holds, or `firstSeq - 1`. */
  readonly lastSeq: number;
  /** Mutations of several records that lost some of them (the rest are intact). */
  readonly incomplete: Mutation[];
}

/** The writer of records `doctor --repair` writes (markers, recovered entities). */
export const REPAIR_WRITER = 'citadel doctor --repair';

type Line = { good: true; found: FoundRecord } | { good: false; segment: SegmentRef; offset: number; reason: string };

export function surveyJournal(dir: string): Survey {
  const segments = allSegments(dir);
  const reports: SegmentReport[] = [];
  const bySeq = new Map<number, FoundRecord>();
  const corrupt: CorruptRecord[] = [];
  let pendingTail: TornTail | undefined;
  const firstSeq = segments[0]?.firstSeq ?? 1;
  let expected = firstSeq;
  let bad: Line[] = [];
  const report = (segment: SegmentRef, offset: number, seq: number, reason: string): void => void corrupt.push({ segment: segment.name, offset, seq, reason });
  /** Bad lines before a good record (or a segment start) at `next`: the seqs between are theirs. */
  const settle = (next: number): void => {
    const lost = next - expected;
    for (const line of bad) {
      if (line.good) continue;
      const range = lost > 1 ? ` (seqs ${expected}..${next - 1} lost)` : lost === 1 ? '' : ' (a stray line: no seq lost)';
      report(line.segment, line.offset, lost > 0 ? expected : next, `${line.reason}${range}`);
    }
    bad = [];
  };

  segments.forEach((segment, index) => {
    const bytes = readSegment(segment, 0);
    const newest = index === segments.length - 1;
    if (index > 0 && segment.firstSeq !== expected) {
      if (bad.length && segment.firstSeq > expected) settle(segment.firstSeq);
      else {
        settle(expected);
        report(segment, 0, expected, `segment starts at seq ${segment.firstSeq}, expected ${expected}`);
      }
      expected = Math.max(expected, segment.firstSeq);
    }
    let count = 0;
    let first = 0;
    let pos = 0;
    while (pos < bytes.length) {
      if (bytes[pos] === 10) {
        pos++;
        continue;
      }
      const nl = bytes.indexOf(10, pos);
      if (nl === -1) {
        if (newest) pendingTail = { segment: segment.name, offset: pos, bytes: bytes.length - pos, pending: true };
        else bad.push({ good: false, segment, offset: pos, reason: 'unterminated line' });
        break;
      }
      const checked = checkLine(bytes, pos, nl);
      if (!checked.ok) bad.push({ good: false, segment, offset: pos, reason: checked.reason });
      else {
        const record = checked.record;
        if (record.seq < expected) {
          report(segment, pos, record.seq, `seq ${record.seq} repeated (expected ${expected})`);
        } else {
          if (bad.length) settle(record.seq);
          else if (record.seq > expected) report(segment, pos, expected, `seq gap: found ${record.seq}, expected ${expected}`);
          bySeq.set(record.seq, { record, segment, offset: pos, end: nl + 1 });
          if (!first) first = record.seq;
          count++;
          expected = record.seq + 1;
        }
      }
      pos = nl + 1;
    }
    reports.push({ name: segment.name, archived: segment.archived, firstSeq: first || segment.firstSeq, lastSeq: expected - 1, records: count, bytes: bytes.length, ...(segment.compressed ? { compressed: true as const } : {}) });
  });
  // Bad lines after the last good record: one lost seq each, as far as the segments tell.
  const trailing = bad.filter((line) => !line.good).length;
  settle(expected + trailing);
  const lastSeq = expected - 1;
  const incomplete = groupMutations(bySeq, firstSeq, lastSeq);

  // The newest segment's unfinished last mutation (with or without a cut-off last line) is a
  // torn tail, not corruption: a writer died mid-append and it was never acknowledged.
  const last = incomplete.at(-1);
  const newest = segments.at(-1);
  if (last && newest && last.last > lastSeq && trailing === 0 && tailOf(bySeq, last, newest)) {
    const members = [...range(last.first, last.last)].map((seq) => bySeq.get(seq)).filter((f): f is FoundRecord => !!f);
    // Loops, not Math.min(...spread): a mutation or a journal can hold millions of records,
    // past what one call's arguments can (a RangeError, not a report).
    const offset = members.reduce((min, m) => Math.min(min, m.offset), Infinity);
    const size = readSegment(newest, 0).length;
    pendingTail = { segment: newest.name, offset, bytes: size - offset, pending: true };
    for (const m of members) bySeq.delete(m.record.seq);
    incomplete.pop();
    let lastGood = firstSeq - 1;
    for (const seq of bySeq.keys()) if (seq < last.first && seq > lastGood) lastGood = seq;
    return { segments, reports, bySeq, corrupt, pendingTail, firstSeq, lastSeq: lastGood, incomplete };
  }
  return { segments, reports, bySeq, corrupt, pendingTail, firstSeq, lastSeq, incomplete };
}

/** True when the incomplete mutation's records are the last lines of the newest segment and it ran past the end (no lost seq inside). */
function tailOf(bySeq: ReadonlyMap<number, FoundRecord>, mutation: Mutation, newest: SegmentRef): boolean {
  const present = [...range(mutation.first, mutation.last)].filter((seq) => bySeq.has(seq));
  if (!present.length) return false;
  const top = present.reduce((max, seq) => Math.max(max, seq), -Infinity);
  // Every lost member comes after the present ones (the write stopped), all in the newest segment.
  return mutation.lost.every((seq) => seq > top) && present.every((seq) => bySeq.get(seq)!.segment.name === newest.name) && !bySeq.has(top + 1);
}

function* range(from: number, to: number): Iterable<number> {
  for (let seq = from; seq <= to; seq++) yield seq;
}

/**
 * Groups the good records of multi-record mutations (`batch: n`) and returns those that lost
 * members. Members of one mutation share `batch`, `ts`, `writer` and `pid` and sit within n
 * consecutive seqs; the seqs of the span no good record holds are the lost ones.
 */
function groupMutations(bySeq: ReadonlyMap<number, FoundRecord>, firstSeq: number, lastSeq: number): Mutation[] {
  const out: Mutation[] = [];
  const key = (r: JournalRecord): string => `${r.batch}\0${r.ts}\0${r.writer}\0${r.pid}`;
  let seq = firstSeq;
  while (seq <= lastSeq) {
    const found = bySeq.get(seq);
    if (!found?.record.batch) {
      seq++;
      continue;
    }
    const size = found.record.batch;
    // Whole: `size` good records in a row of one mutation (a repaired batch may hold records
    // written by repair, with their own ts and writer, in the slots of lost ones).
    const keys = new Set<string>();
    let whole = true;
    for (let s = seq; s < seq + size && whole; s++) {
      const member = bySeq.get(s)?.record;
      whole = member?.batch === size;
      if (member && member.writer !== REPAIR_WRITER) keys.add(key(member));
    }
    if (whole && keys.size <= 1) {
      seq += size;
      continue;
    }
    const k = key(found.record);
    // Members: good records with the same key within `size` seqs of the first one found.
    const members = [seq];
    for (let s = seq + 1; s < seq + size; s++) {
      const other = bySeq.get(s);
      if (other && key(other.record) === k) members.push(s);
      else if (other) break;
    }
    const hi = members.at(-1)!;
    if (members.length === size) {
      seq = hi + 1;
      continue;
    }
    // The span: the lost seqs between and after the members, then before them, up to `size`.
    let lo = seq;
    let top = hi;
    while (top - lo + 1 < size && !bySeq.has(top + 1)) top++;
    while (top - lo + 1 < size && lo - 1 >= firstSeq && !bySeq.has(lo - 1) && !out.some((m) => m.last >= lo - 1)) lo--;
    const span = [...range(lo, top)];
    out.push({ first: lo, last: top, size, lost: span.filter((s) => !bySeq.has(s)) });
    seq = top + 1;
  }
  return out;
}
