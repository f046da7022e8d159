import { closeSync, fstatSync, readSync } from 'node:fs';
import { BODY_START, checkLine } from './frame.js';
import { allSegments, readSegment, type SegmentRef } from './segments.js';
import { openSafe, READ } from './safefs.js';
import type { JournalRecord } from './types.js';
import { chainOfBody, GENESIS, link, sha256 } from './chain-hash.js';

export { chainOfBody, GENESIS, HASH_HEX, link, sha256 } from './chain-hash.js';

/** Reading the chain: the last value before a position, and a walk of every record with its digest (see chain-hash.ts). */

/** The body bytes of a checked frame line `bytes[start, end)` (end excludes the newline). */
export function bodyOf(bytes: Buffer, start: number, end: number): Buffer {
  return bytes.subarray(start + BODY_START, end - 1);
}

/**
 * The chain value at the end of the journal's bytes before `offset` in `segment`: the last
 * record's, read from the tail only (a window that doubles until it holds a whole line); when
 * the segment holds no record before `offset`, the last record of the segment before it.
 * GENESIS when there is none. For a writer that loaded a snapshot without a chain value.
 */
export function chainBefore(dir: string, segment: string, offset: number): string {
  const segments = allSegments(dir);
  let index = segments.findIndex((s) => s.name === segment);
  let end = offset;
  while (index >= 0) {
    const found = lastLineBefore(segments[index]!, end);
    if (found) return chainOfBody(found.body, found.record);
    index--;
    end = Infinity;
  }
  return GENESIS;
}

function lastLineBefore(segment: SegmentRef, offset: number): { body: Buffer; record: JournalRecord } | undefined {
  if (segment.compressed) {
    // Compressed (archived): read whole; the last line is found in memory.
    let bytes: Buffer;
    try {
      bytes = readSegment(segment, 0);
    } catch {
      return undefined;
    }
    return lastLineIn(bytes.subarray(0, Math.min(bytes.length, offset)), true) ?? undefined;
  }
  let fd: number;
  try {
    fd = openSafe(segment.path, READ);
  } catch {
    return undefined;
  }
  try {
    const size = Math.min(fstatSync(fd).size, offset);
    for (let window = 64 * 1024; ; window *= 2) {
      const from = Math.max(0, size - window);
      const buffer = Buffer.allocUnsafe(size - from);
      let read = 0;
      while (read < buffer.length) {
        const n = readSync(fd, buffer, read, buffer.length - read, from + read);
        if (n === 0) break;
        read += n;
      }
      const found = lastLineIn(buffer.subarray(0, read), from === 0);
      if (found !== null) return found;
    }
  } finally {
    closeSync(fd);
  }
}

/** The last line of `buffer` checked; null when the window may not hold it whole (not `whole` and no newline before it). */
function lastLineIn(buffer: Buffer, whole: boolean): { body: Buffer; record: JournalRecord } | undefined | null {
  let end = buffer.length;
  while (end > 0 && buffer[end - 1] === 10) end--;
  const start = buffer.lastIndexOf(10, end - 1) + 1;
  if (start === 0 && !whole) return null;
  if (end <= start) return undefined;
  const checked = checkLine(buffer, start, end);
  return checked.ok ? { body: Buffer.from(bodyOf(buffer, start, end)), record: checked.record } : undefined;
}

/** 1-based line number of byte `offset` in `bytes` (what `sed -n Np` prints). */
export function lineNumber(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = bytes.indexOf(10); i !== -1 && i < offset; i = bytes.indexOf(10, i + 1)) line++;
  return line;
}

/** A record as the chain walk sees it. */
export interface ChainedRecord {
  readonly record: JournalRecord;
  readonly segment: SegmentRef;
  readonly offset: number;
  readonly line: number;
  /** Its frame line (without newlines), as written. */
  readonly text: Buffer;
  readonly digest: Buffer;
  /** chain(k), from its own `prev`. */
  readonly chain: string;
}

/**
 * Walks every good record of the journal in file order (archived segments first), up to
 * `stopAt` (the pending torn tail, which was never acknowledged). Bad lines are passed to
 * `onBad`; the walk goes on (doctor's survey reports them).
 */
export function* walkRecords(dir: string, stopAt?: { segment: string; offset: number }, onBad?: (segment: SegmentRef, offset: number, line: number, reason: string) => void): Iterable<ChainedRecord> {
  for (const segment of allSegments(dir)) {
    const bytes = readSegment(segment, 0);
    const limit = stopAt?.segment === segment.name ? stopAt.offset : bytes.length;
    let pos = 0;
    let line = 1;
    while (pos < limit) {
      if (bytes[pos] === 10) {
        pos++;
        line++;
        continue;
      }
      let nl = bytes.indexOf(10, pos);
      if (nl === -1 || nl > limit) nl = limit;
      const checked = checkLine(bytes, pos, nl);
      if (!checked.ok) onBad?.(segment, pos, line, checked.reason);
      else {
        const body = bodyOf(bytes, pos, nl);
        const digest = sha256(body);
        yield { record: checked.record, segment, offset: pos, line, text: bytes.subarray(pos, nl), digest, chain: link(checked.record.prev ?? GENESIS, digest) };
      }
      pos = nl;
    }
  }
}

/** The chain value at `seq`, read from the one segment that holds it (undefined when no segment does). */
export function chainAt(dir: string, seq: number): string | undefined {
  if (seq === 0) return GENESIS;
  const segment = allSegments(dir).filter((s) => s.firstSeq <= seq).at(-1);
  if (!segment) return undefined;
  const bytes = readSegment(segment, 0);
  const needle = Buffer.from(`,"rec":{"v":1,"seq":${seq},`);
  for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) {
    const start = bytes.lastIndexOf(10, at) + 1;
    let end = bytes.indexOf(10, at);
    if (end === -1) end = bytes.length;
    const checked = checkLine(bytes, start, end);
    if (checked.ok && checked.record.seq === seq) return chainOfBody(bodyOf(bytes, start, end), checked.record);
  }
  return undefined;
}
