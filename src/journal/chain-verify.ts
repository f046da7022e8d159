import { basename } from 'node:path';
import { GENESIS, walkRecords, type ChainedRecord } from './chain.js';
import { readHead } from './head.js';
import { segmentLabel } from './segments.js';
import { listSnapshots, loadSnapshot } from './snapshot.js';

/**
 * `citadel doctor --verify`: proves from the segments alone (archived ones included) that no
 * acknowledged record was edited, removed or reordered since it was written, as far as the
 * hash chain reaches (docs/journal.md, "Hash chain"). Every record's `prev` must equal the
 * chain value of the record before it; the chain values HEAD.json and the snapshots recorded
 * must equal the chain at their seqs (so an edit of the newest record, which nothing after it
 * vouches for, is caught too). The first bad record is named in one line.
 */
export interface ChainReport {
  readonly ok: boolean;
  /** Records walked (quarantine markers included). */
  readonly records: number;
  /** The first seq the chain covers (its first record carrying `prev`); null before any. */
  readonly from: number | null;
  /** The last seq walked. */
  readonly to: number;
  /** The chain value at `to` (64 hex), null for an empty journal. */
  readonly head: string | null;
  /** What vouched for chain values beyond the records themselves: HEAD.json, snapshots. */
  readonly anchors: readonly string[];
  /** Seqs whose records stand in for lost ones (`doctor --repair` markers and recovered records): recorded gaps. */
  readonly repaired: readonly number[];
  /** The first bad record, in one line (absent when ok). */
  readonly problem?: string;
  readonly at?: { readonly segment: string; readonly line: number; readonly seq: number };
}

/** Where `where` is a record's place: `seg-….jsonl:LINE (seq N)`. */
const where = (r: ChainedRecord): string => `${segmentLabel(r.segment)}:${r.line} (seq ${r.record.seq})`;

/** True when `next`'s prev continues from `prev`: its chain value, or (a repaired slot) the value of the record it replaced. */
const links = (prev: ChainedRecord, next: ChainedRecord): boolean => next.record.prev === prev.chain || (prev.record.replaces !== undefined && next.record.prev === prev.record.replaces);

/** A recorded chain value matches the record at its seq (or, for a repaired slot, the one it replaced). */
const vouches = (value: string, r: ChainedRecord): boolean => value === r.chain || value === r.record.replaces;

export function verifyChain(dir: string, tornTail?: { segment: string; offset: number }): ChainReport {
  // Anchors: chain values recorded outside the records (HEAD.json, each snapshot), by seq.
  const anchors = new Map<number, { value: string; source: string }[]>();
  const addAnchor = (seq: number, value: string | undefined, source: string): void => {
    if (value === undefined) return;
    const list = anchors.get(seq) ?? [];
    list.push({ value, source });
    anchors.set(seq, list);
  };
  const head = readHead(dir);
  if (head) addAnchor(head.seq, head.chain, 'HEAD.json');
  for (const { name } of listSnapshots(dir)) {
    const snapshot = loadSnapshot(dir, name, true);
    if (snapshot) addAnchor(snapshot.header.seq, snapshot.header.chain, name);
  }

  let records = 0;
  let from: number | null = null;
  let previous: ChainedRecord | undefined;
  let problem: { text: string; at: ChainedRecord | { segment: string; line: number; seq: number } } | undefined;
  /** A broken link (x → y) waiting for the next record to tell which of the two changed. */
  let broken: { x: ChainedRecord; y: ChainedRecord } | undefined;
  const repaired: number[] = [];
  const used = new Set<string>();
  let firstBad: { segment: string; line: number; reason: string; seq: number } | undefined;

  const blame = (culprit: 'x' | 'y', pair: { x: ChainedRecord; y: ChainedRecord }): void => {
    const { x, y } = pair;
    problem =
      culprit === 'x'
        ? { text: `hash chain broken: ${where(x)} was changed after it was written (its hash does not match the one seq ${y.record.seq} recorded for it)`, at: x }
        : { text: `hash chain broken: ${where(y)} does not continue the chain from seq ${x.record.seq} (a record removed, reordered, edited or put in from another journal here)`, at: y };
  };

  for (const r of walkRecords(dir, tornTail, (segment, _offset, line, reason) => {
    firstBad ??= { segment: `${segmentLabel(segment)}`, line, reason, seq: (previous?.record.seq ?? segment.firstSeq - 1) + 1 };
  })) {
    if (firstBad && !problem) {
      problem = { text: `${firstBad.segment}:${firstBad.line} (seq ${firstBad.seq} expected): ${firstBad.reason}; \`citadel doctor --repair\` quarantines it`, at: firstBad };
    }
    if (problem) break;
    records++;
    const seq = r.record.seq;
    if (r.record.replaces !== undefined || r.record.kind === '_journal') repaired.push(seq);
    if (previous && seq !== previous.record.seq + 1) {
      const expected = previous.record.seq + 1;
      problem =
        seq > expected
          ? { text: `records missing: ${where(r)} follows seq ${previous.record.seq}: seq ${expected}${seq - 1 > expected ? `..${seq - 1}` : ''} removed`, at: r }
          : { text: `records out of order: ${where(r)} follows seq ${previous.record.seq} (expected seq ${expected}): reordered or repeated`, at: r };
      break;
    }
    if (broken) {
      // The link before this one broke: if this one holds, y is vouched for and x changed.
      blame(r.record.prev !== undefined && links(broken.y, r) ? 'x' : 'y', broken);
      break;
    }
    if (r.record.prev === undefined) {
      if (from !== null) {
        problem = { text: `hash chain broken: ${where(r)} has no chain hash, but the chain began at seq ${from} (a record from before the chain, or from another journal, put here)`, at: r };
        break;
      }
    } else {
      from ??= seq;
      if (previous) {
        if (!links(previous, r)) broken = { x: previous, y: r };
      } else {
        // The oldest record left: seq 1 starts from zero; later, a snapshot's chain value at the seq before it.
        const expected = seq === 1 ? [{ value: GENESIS, source: 'the chain’s start' }] : (anchors.get(seq - 1) ?? []);
        const mismatch = expected.find((a) => a.value !== r.record.prev);
        if (mismatch) {
          problem = { text: `hash chain broken: ${where(r)}, the oldest record left, does not continue the chain ${mismatch.source} recorded at seq ${seq - 1}`, at: r };
          break;
        }
        for (const a of expected) if (a.source !== 'the chain’s start') used.add(a.source);
      }
    }
    // Chain values recorded at this seq (HEAD.json, snapshots) must match it.
    const here = anchors.get(seq) ?? [];
    if (broken && here.length) {
      // The link into this record broke; a value recorded for it tells which side changed.
      blame(here.some((a) => vouches(a.value, r)) ? 'x' : 'y', broken);
      break;
    }
    for (const anchor of here) {
      if (vouches(anchor.value, r)) used.add(anchor.source);
      else if (!problem && !broken) {
        problem = { text: `hash chain broken: ${where(r)} was changed after it was written (its hash does not match the chain value ${anchor.source} recorded at seq ${seq})`, at: r };
      }
    }
    if (problem) break;
    previous = r;
  }
  if (!problem && firstBad) problem = { text: `${firstBad.segment}:${firstBad.line} (seq ${firstBad.seq} expected): ${firstBad.reason}; \`citadel doctor --repair\` quarantines it`, at: firstBad };
  if (!problem && broken) {
    // The newest record's link broke and nothing after it tells: an anchor at its seq would have.
    blame('y', broken);
  }
  const at = problem
    ? 'record' in problem.at
      ? { segment: `${segmentLabel(problem.at.segment)}`, line: problem.at.line, seq: problem.at.record.seq }
      : problem.at
    : undefined;
  return {
    ok: problem === undefined,
    records,
    from,
    to: previous?.record.seq ?? 0,
    head: previous?.chain ?? null,
    anchors: [...used].map((source) => basename(source)),
    repaired,
    ...(problem ? { problem: problem.text, at: at! } : {}),
  };
}
