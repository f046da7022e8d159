import { closeSync, fstatSync, readdirSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { COMPRESSED_SUFFIX, decompressSegment } from './archive.js';
import { isSafeDir, openSafe, READ } from './safefs.js';

/**
 * Segment files are `seg-<first seq, 12 digits>.jsonl`: the name says where a seq lives, so
 * finding seq N is a listing and a search by name, with no index to keep right. Rolled
 * segments are never renamed or rewritten; old ones move, under the same name, to `archive/`,
 * where they are compressed (`seg-….jsonl.cz`, src/journal/archive.ts). A segment keeps its
 * plain name (`name`) in both forms: positions, reports and `readSegment`'s bytes are those of
 * the plain segment.
 */
export const ARCHIVE_DIR = 'archive';
const SEGMENT = /^seg-(\d{12})\.jsonl$/;
const ARCHIVED = /^seg-(\d{12})\.jsonl(\.cz)?$/;

export function segmentName(firstSeq: number): string {
  return `seg-${String(firstSeq).padStart(12, '0')}.jsonl`;
}

export interface SegmentRef {
  readonly name: string;
  readonly firstSeq: number;
  readonly path: string;
  readonly archived: boolean;
  /** Stored compressed: `path` is `archive/<name>.cz`. */
  readonly compressed?: boolean;
}

/** Where a segment is, as people see it: `archive/seg-….jsonl.cz` for a compressed one. */
export function segmentLabel(segment: SegmentRef): string {
  return `${segment.archived ? `${ARCHIVE_DIR}/` : ''}${segment.name}${segment.compressed ? COMPRESSED_SUFFIX : ''}`;
}

function list(dir: string, archived: boolean): SegmentRef[] {
  if (!isSafeDir(dir)) return [];
  const byName = new Map<string, SegmentRef>();
  for (const file of readdirSync(dir)) {
    const match = (archived ? ARCHIVED : SEGMENT).exec(file);
    if (!match) continue;
    const compressed = match[2] !== undefined;
    const name = compressed ? file.slice(0, -COMPRESSED_SUFFIX.length) : file;
    // Both forms (a compression that crashed before removing the plain file): the plain one, once.
    if (compressed && byName.has(name)) continue;
    byName.set(name, { name, firstSeq: Number(match[1]), path: join(dir, file), archived, ...(compressed ? { compressed } : {}) });
  }
  return [...byName.values()].sort((a, b) => a.firstSeq - b.firstSeq);
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

/** The files a segment may be in, in the order they are tried: it moves to `archive/`, then is compressed there (never back). */
function places(segment: SegmentRef): { path: string; compressed: boolean }[] {
  if (segment.compressed) return [{ path: segment.path, compressed: true }];
  const archive = segment.archived ? dirname(segment.path) : join(dirname(segment.path), ARCHIVE_DIR);
  return [
    { path: segment.path, compressed: false },
    ...(segment.archived ? [] : [{ path: join(archive, segment.name), compressed: false }]),
    { path: join(archive, `${segment.name}${COMPRESSED_SUFFIX}`), compressed: true },
  ];
}

function shrank(path: string, size: number, start: number): CitadelError {
  return new CitadelError(
    'corrupt',
    `journal corrupt: ${path} is ${size} bytes, shorter than the ${start} bytes already read from it: acknowledged records were removed; run \`citadel doctor --repair\``,
    { segment: path, offset: size, reason: 'segment shrank' },
  );
}

/**
 * Reads a segment from `start` to its current end — the one reader of segment files, in either
 * form: from `archive/` if it moved meanwhile, decompressed if it is compressed (the plain
 * segment's bytes exactly; a damaged block reads as a lost-block line of its length, which
 * record readers report). A segment shorter than `start` (bytes this process already read)
 * lost acknowledged records: cut by hand, or put back to an older copy by `git checkout`; that
 * fails closed.
 */
export function readSegment(segment: SegmentRef, start: number): Buffer {
  let fd: number | undefined;
  let compressed = false;
  let path = segment.path;
  const tries = places(segment);
  for (let i = 0; fd === undefined; i++) {
    try {
      fd = openSafe(tries[i]!.path, READ);
      compressed = tries[i]!.compressed;
      path = tries[i]!.path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || i === tries.length - 1) throw error;
    }
  }
  try {
    if (compressed) {
      const bytes = decompressSegment(readFrom(fd, 0, fstatSync(fd).size), `${ARCHIVE_DIR}/${segment.name}${COMPRESSED_SUFFIX}`).bytes;
      if (bytes.length < start) throw shrank(path, bytes.length, start);
      return bytes.subarray(start);
    }
    const size = fstatSync(fd).size;
    if (size < start) throw shrank(segment.path, size, start);
    return readFrom(fd, start, size);
  } finally {
    closeSync(fd);
  }
}

function readFrom(fd: number, start: number, size: number): Buffer {
  const buffer = Buffer.allocUnsafe(Math.max(0, size - start));
  let read = 0;
  while (read < buffer.length) {
    const n = readSync(fd, buffer, read, buffer.length - read, start + read);
    if (n === 0) break;
    read += n;
  }
  return buffer.subarray(0, read);
}
