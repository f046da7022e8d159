import { checkLine } from '../../journal/frame.js';
import { allSegments, readSegment, type SegmentRef } from '../../journal/segments.js';
import type { JournalRecord } from '../../journal/types.js';

const NEWLINE = 0x0a;

/**
 * The segments holding records before `beforeSeq`, newest first: what a bead's older history is
 * read from, one segment per turn of the event loop.
 */
export function segmentsBefore(journalDir: string, beforeSeq: number): SegmentRef[] {
  return allSegments(journalDir)
    .filter((segment) => segment.firstSeq < beforeSeq)
    .reverse();
}

/**
 * The records of entity `id` in one segment with seq below `beforeSeq`, oldest first, and
 * whether the scan met damage (a line that fails its frame or CRC check: the caller stops there,
 * showing what it has). Only the lines that hold the bytes `"id":"<id>"` are checked and parsed
 * — a bead's few records among a segment's ~4,000 — found with `Buffer.indexOf`, so a 4 MiB
 * segment costs a read and a byte search (~2 ms), not 4,000 CRCs and JSON parses (~100 ms).
 * Every record whose body names the entity by `id` has those bytes (JSON.stringify writes no
 * spaces), so none is missed; lines that hold them for another reason are dropped by the id check.
 */
export function entityRecordsIn(segment: SegmentRef, id: string, beforeSeq: number): { records: JournalRecord[]; damaged: boolean } {
  const bytes = readSegment(segment, 0);
  const needle = Buffer.from(`"id":${JSON.stringify(id)}`);
  const records: JournalRecord[] = [];
  let at = bytes.indexOf(needle);
  while (at >= 0) {
    const start = bytes.lastIndexOf(NEWLINE, at) + 1;
    let end = bytes.indexOf(NEWLINE, at);
    if (end < 0) end = bytes.length;
    const line = checkLine(bytes, start, end);
    if (!line.ok) {
      // A torn last line is the writer's unfinished append (a live segment): not damage.
      if (end === bytes.length) break;
      return { records, damaged: true };
    }
    const record = line.record;
    if (record.id === id && record.seq < beforeSeq && !record.kind.startsWith('_')) records.push(record);
    at = bytes.indexOf(needle, end);
  }
  return { records, damaged: false };
}
