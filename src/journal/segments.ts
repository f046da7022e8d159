import { closeSync, fstatSync, readdirSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { isSafeDir, openSafe, READ } from './safefs.js';

/**
 * Segment files are `seg-<first seq, 12 digits>.jsonl`: the name says where a seq lives, so
 * finding seq N is a listing and a search by name, with no index to keep right. Rolled
 * segments are never renamed or rewritten; old ones move, under the same name, to `archive/`.
 */
export const ARCHIVE_DIR = 'archive';
const SEGMENT = /^seg-(\d{12})\.jsonl$/;

export function segmentName(firstSeq: number): string {
  return `seg-${String(firstSeq).padStart(12, '0')}.jsonl`;
}

export interface SegmentRef {
  readonly name: string;
  readonly firstSeq: number;
  readonly path: string;
  readonly archived: boolean;
}

function list(dir: string, archived: boolean): SegmentRef[] {
  if (!isSafeDir(dir)) return [];
  const out: SegmentRef[] = [];
  for (const name of readdirSync(dir)) {
    const match = SEGMENT.exec(name);
    if (match) out.push({ name, firstSeq: Number(match[1]), path: join(dir, name), archived });
  }
  return out.sort((a, b) => a.firstSeq - b.firstSeq);
}

/** The live segments (not archived), oldest first. */
export function liveSegments(journalDir: string): SegmentRef[] {
  return list(journalDir, false);
}

/** Every segment, archived then live, oldest first (a name in both places counts once, live). */
export function allSegments(journalDir: string): SegmentRef[] {
  const live = list(journalDir, false);
  const liveNames = new Set(live.map((s) => s.name));
  const archived = list(join(journalDir, ARCHIVE_DIR), true).filter((s) => !liveNames.has(s.name));
  return [...archived, ...live].sort((a, b) => a.firstSeq - b.firstSeq);
}

/**
 * Reads a segment from `start` to its current end (from `archive/` if it moved meanwhile).
 * A segment shorter than `start` (bytes this process already read) lost acknowledged records:
 * cut by hand, or put back to an older copy by `git checkout`; that fails closed.
 */
export function readSegment(segment: SegmentRef, start: number): Buffer {
  let fd: number;
  try {
    fd = openSafe(segment.path, READ);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || segment.archived) throw error;
    fd = openSafe(join(dirname(segment.path), ARCHIVE_DIR, segment.name), READ);
  }
  try {
    const size = fstatSync(fd).size;
    if (size < start) {
      throw new CitadelError(
        'corrupt',
        `journal corrupt: ${segment.path} is ${size} bytes, shorter than the ${start} bytes already read from it: acknowledged records were removed; run \`citadel doctor --repair\``,
        { segment: segment.path, offset: size, reason: 'segment shrank' },
      );
    }
    const buffer = Buffer.allocUnsafe(Math.max(0, size - start));
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, start + read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}
