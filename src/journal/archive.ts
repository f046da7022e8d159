import { lstatSync, readdirSync, renameSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { elideBlock, restoreBlock } from './archive-elide.js';
import { crc32c } from './crc32c.js';
import { fsyncDir, writeFileAtomic } from './files.js';
import { ensureDir, isSafeDir, readFileSafe } from './safefs.js';

/**
 * Compressed archived segments (issue 18, disk): `archive/seg-<first seq>.jsonl.cz`, a sequence
 * of independent members, each a block of ~256 KiB of whole lines compressed with brotli
 * (quality 6), together the segment's bytes exactly. Each member starts with a fixed signature
 * and a header saying where it belongs: its index and the member count, its own size, the plain
 * offset and length of its block, the segment's plain length, the block's first and last seq
 * and the block's CRC-32, with a CRC32C of these fields. So a flipped bit loses one block, not
 * the file: the reader skips the damaged member (by its size, or by finding the next member's
 * signature) and puts a *lost-block line* of the same length in its place, which every reader
 * of records reports as a bad line naming the block and its seqs — byte offsets after it stay
 * those of the plain segment. (Multi-member gzip, which `zcat` reads, was the first version:
 * 11.8x against brotli's 13.6x on the bench town, 10 MiB more at 100k beads.)
 * A block's records are compressed without what is derivable from the bytes around them — each
 * frame's CRC32C and each `prev` but a block's first (archive-elide.ts) — and restored before
 * the block's CRC-32, which covers the plain bytes, is checked; a header flag says so, so blocks
 * written before (and odd blocks that would not restore) are read as they are.
 */

export const COMPRESSED_SUFFIX = '.cz';
/** Plain bytes per block, cut at the next newline (whole lines). */
export const BLOCK_BYTES = 256 * 1024;
const QUALITY = 6;
/** zlib's native CRC-32 (Node 20.15+); without it the block check is left to each record's CRC32C. */
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;
/** Plain archived segments of an older town converted per checkpoint (the newly archived ones always are). */
export const CONVERT_PER_CHECKPOINT = 4;

const META_BYTES = 58;
/** The fixed start of every member (a PNG-like magic: a byte above ASCII, `CJZ`, CR LF, ^Z, LF). */
export const SIGNATURE = Buffer.from([0x89, 0x43, 0x4a, 0x5a, 0x0d, 0x0a, 0x1a, 0x0a]);
export const HEADER_BYTES = SIGNATURE.length + META_BYTES;
/** How a lost block's line starts: `checkLine` reports it with the reason it carries. */
export const LOST_LINE_PREFIX = '{"lost":"';

interface Meta {
  readonly index: number;
  readonly count: number;
  readonly memberBytes: number;
  readonly plainOffset: number;
  readonly plainBytes: number;
  readonly segmentBytes: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  /** The block's CRC-32, when it was computed (`nativeCrc32`). */
  readonly crc32: number | undefined;
  /** The block is stored with its derivable fields left out (archive-elide.ts): restored after decompressing. */
  readonly elided: boolean;
}

const SEQ = /^\{"crc32c":"[0-9a-f]{8}","rec":\{"v":1,"seq":(\d+),/;

/** The seq a line claims (unchecked: for naming a lost block's seqs only); 0 when it does not say. */
function seqOfLine(bytes: Buffer, start: number): number {
  const match = SEQ.exec(bytes.toString('latin1', start, Math.min(bytes.length, start + 64)));
  return match ? Number(match[1]) : 0;
}

/** The plain segment's bytes as a compressed archive (see the top of this file). */
export function compressSegment(plain: Buffer): Buffer {
  const cuts: [number, number][] = [];
  for (let pos = 0; pos < plain.length || cuts.length === 0; ) {
    let end = Math.min(plain.length, pos + BLOCK_BYTES);
    if (end < plain.length) {
      const nl = plain.indexOf(10, end - 1);
      end = nl === -1 ? plain.length : nl + 1;
    }
    cuts.push([pos, end]);
    pos = end;
  }
  const members = cuts.map(([from, to], index) => {
    const block = plain.subarray(from, to);
    let first = 0;
    let last = 0;
    for (let pos = 0; pos < block.length; ) {
      if (block[pos] === 10) {
        pos++;
        continue;
      }
      const seq = seqOfLine(block, pos);
      if (seq) {
        first ||= seq;
        last = seq;
      }
      const nl = block.indexOf(10, pos);
      pos = nl === -1 ? block.length : nl + 1;
    }
    // Derivable fields left out when the result restores byte for byte (it always does for
    // records as the writer frames them; a block of odd lines is stored as it is). CRC32C
    // values only when the block's CRC-32 is there to vouch for the restored bytes.
    const elided = elideBlock(block, nativeCrc32 !== undefined);
    const stored = elided.length < block.length && restored(elided, block) ? elided : block;
    const data = zlib.brotliCompressSync(stored, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: stored.length } });
    const meta: Meta = { index, count: cuts.length, memberBytes: HEADER_BYTES + data.length, plainOffset: from, plainBytes: block.length, segmentBytes: plain.length, firstSeq: first, lastSeq: last, crc32: nativeCrc32?.(block), elided: stored !== block };
    return Buffer.concat([SIGNATURE, encodeMeta(meta), data]);
  });
  return Buffer.concat(members);
}

function restored(elided: Buffer, block: Buffer): boolean {
  const back = restoreBlock(elided, block.length);
  return typeof back !== 'string' && back.equals(block);
}

/** Byte 49 of the header: bit 0, the block's CRC-32 follows; bit 1, the block is elided. */
const HAS_CRC32 = 1;
const ELIDED = 2;

function encodeMeta(meta: Meta): Buffer {
  const b = Buffer.alloc(META_BYTES);
  b.writeUInt8(1, 0);
  b.writeUInt32LE(meta.index, 1);
  b.writeUInt32LE(meta.count, 5);
  b.writeUInt32LE(meta.memberBytes, 9);
  b.writeDoubleLE(meta.plainOffset, 13);
  b.writeUInt32LE(meta.plainBytes, 21);
  b.writeDoubleLE(meta.segmentBytes, 25);
  b.writeDoubleLE(meta.firstSeq, 33);
  b.writeDoubleLE(meta.lastSeq, 41);
  b.writeUInt8((meta.crc32 === undefined ? 0 : HAS_CRC32) | (meta.elided ? ELIDED : 0), 49);
  b.writeUInt32LE(meta.crc32 ?? 0, 50);
  b.writeUInt32LE(crc32c(b, 0, 54), 54);
  return b;
}

/** The member header at `pos`, when it is one of ours and its fields pass their CRC. */
function metaAt(file: Buffer, pos: number): Meta | undefined {
  if (pos + HEADER_BYTES > file.length || file.compare(SIGNATURE, 0, SIGNATURE.length, pos, pos + SIGNATURE.length) !== 0) return undefined;
  const at = pos + SIGNATURE.length;
  if (file.readUInt8(at) !== 1 || file.readUInt32LE(at + 54) !== crc32c(file, at, at + 54)) return undefined;
  const meta: Meta = {
    index: file.readUInt32LE(at + 1),
    count: file.readUInt32LE(at + 5),
    memberBytes: file.readUInt32LE(at + 9),
    plainOffset: file.readDoubleLE(at + 13),
    plainBytes: file.readUInt32LE(at + 21),
    segmentBytes: file.readDoubleLE(at + 25),
    firstSeq: file.readDoubleLE(at + 33),
    lastSeq: file.readDoubleLE(at + 41),
    crc32: (file.readUInt8(at + 49) & HAS_CRC32) !== 0 ? file.readUInt32LE(at + 50) : undefined,
    elided: (file.readUInt8(at + 49) & ELIDED) !== 0,
  };
  const int = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;
  if (![meta.plainOffset, meta.segmentBytes, meta.firstSeq, meta.lastSeq].every(int) || meta.memberBytes < HEADER_BYTES || meta.index >= meta.count || file.readUInt8(at + 49) > 3) return undefined;
  return meta;
}

/** The next member header at or after `from` that passes its checks (scanning for the signature). */
function nextMeta(file: Buffer, from: number): { pos: number; meta: Meta } | undefined {
  for (let pos = file.indexOf(SIGNATURE, from); pos !== -1; pos = file.indexOf(SIGNATURE, pos + 1)) {
    const meta = metaAt(file, pos);
    if (meta) return { pos, meta };
  }
  return undefined;
}

/** A line of `length` bytes (newlines included) standing for a lost block: every reader reports it with `reason`. */
function lostLine(length: number, reason: string): Buffer {
  const room = length - LOST_LINE_PREFIX.length - 4; // "\n" + prefix + reason + "\"}" + "\n"
  if (room < 0) return Buffer.alloc(length, 10); // too short for a line: the seqs it held show as a gap
  const text = reason.replace(/[^ -~]|["\\]/g, '?').slice(0, room);
  const line = Buffer.alloc(length, 0x20);
  line.write(`\n${LOST_LINE_PREFIX}${text}"}`, 0, 'latin1');
  line[length - 1] = 10;
  return line;
}

const seqs = (first: number, last: number): string => (first && last ? (first === last ? ` seq ${first}` : ` seqs ${first}..${last}`) : ' unknown seqs');

export interface Decompressed {
  /** The segment's plain bytes, a lost-block line in place of each damaged block. */
  readonly bytes: Buffer;
  /** One line per damaged or missing block. */
  readonly damage: string[];
}

/** Reads a compressed archive back to the plain segment it was made from; damage costs the blocks it hits. */
export function decompressSegment(file: Buffer, label: string): Decompressed {
  const parts: Buffer[] = [];
  const damage: string[] = [];
  let plainPos = 0;
  let pos = 0;
  let segmentBytes: number | undefined;
  let count: number | undefined;
  let lastGood: Meta | undefined;
  /** The index of the last member read (good or not), so a run of damaged headers is numbered. */
  let lastIndex = -1;
  /** `length` undefined: not known (no header left to say); a line is written anyway, so readers name it. */
  const lose = (length: number | undefined, reason: string): void => {
    damage.push(reason);
    const bytes = length ?? LOST_LINE_PREFIX.length + reason.length + 4;
    if (bytes > 0) parts.push(lostLine(bytes, reason));
    plainPos += Math.max(0, bytes);
  };
  while (pos < file.length) {
    const meta = metaAt(file, pos);
    if (meta && meta.plainOffset === plainPos && pos + meta.memberBytes > file.length) {
      segmentBytes ??= meta.segmentBytes;
      count ??= meta.count;
      lose(meta.plainBytes, `compressed block ${meta.index + 1} of ${meta.count} of ${label} is cut short (the file ends inside it), holding${seqs(meta.firstSeq, meta.lastSeq)}`);
      lastIndex = meta.index;
      pos = file.length;
      continue;
    }
    if (meta && meta.plainOffset === plainPos) {
      segmentBytes ??= meta.segmentBytes;
      count ??= meta.count;
      const member = file.subarray(pos, pos + meta.memberBytes);
      let plain: Buffer | undefined;
      let why = '';
      try {
        plain = zlib.brotliDecompressSync(member.subarray(HEADER_BYTES), { maxOutputLength: meta.plainBytes + 1, chunkSize: Math.max(64, meta.plainBytes + 1) });
        if (meta.elided) {
          const back = restoreBlock(plain, meta.plainBytes);
          if (typeof back === 'string') why = back;
          else plain = back;
        }
        if (why) plain = undefined;
        else if (plain.length !== meta.plainBytes) why = `${plain.length} bytes, not ${meta.plainBytes}`;
        else if (meta.crc32 !== undefined && nativeCrc32 && nativeCrc32(plain) !== meta.crc32) why = 'CRC-32 mismatch';
      } catch (error) {
        why = (error as Error).message.replace(/\s+/g, ' ');
      }
      if (plain && !why) {
        parts.push(plain);
        plainPos += plain.length;
        lastGood = meta;
      } else lose(meta.plainBytes, `compressed block ${meta.index + 1} of ${meta.count} of ${label} is damaged (${why}), holding${seqs(meta.firstSeq, meta.lastSeq)}`);
      lastIndex = meta.index;
      pos += meta.memberBytes;
      continue;
    }
    // A damaged member header (or one out of place): find the next good one; what lies between is lost.
    const next = nextMeta(file, pos + 1);
    const first = lastGood ? lastGood.lastSeq + 1 : 0;
    if (next && next.meta.plainOffset >= plainPos) {
      segmentBytes ??= next.meta.segmentBytes;
      count ??= next.meta.count;
      const from = lastIndex + 2;
      const to = next.meta.index;
      const which = from >= to ? `compressed block ${to}` : `compressed blocks ${from}..${to}`;
      lose(next.meta.plainOffset - plainPos, `${which} of ${next.meta.count} of ${label} ${from >= to ? 'is' : 'are'} damaged (a member header), holding${seqs(first, next.meta.firstSeq - 1)}`);
      pos = next.pos;
    } else {
      lose(segmentBytes === undefined ? undefined : segmentBytes - plainPos, `the compressed blocks of ${label} from its byte ${pos} are damaged (no member header left to read)${first ? `, holding the seqs from ${first}` : ''}`);
      pos = file.length;
    }
  }
  if (segmentBytes !== undefined && plainPos < segmentBytes) {
    lose(segmentBytes - plainPos, `${label} ends after ${lastIndex + 1} of its ${count} compressed blocks (cut short)${lastGood ? `, holding the seqs from ${lastGood.lastSeq + 1}` : ''}`);
  }
  return { bytes: Buffer.concat(parts), damage };
}

/**
 * Under the store lock: compresses the plain segments in `archive/` (the newly archived `names`,
 * then up to `CONVERT_PER_CHECKPOINT` older ones), each crash-safe: the compressed file is
 * checked to read back to the plain bytes, written as a temp file, fsynced and renamed into
 * place, the directory fsynced, and only then the plain file removed. A crash at any step
 * leaves the plain file, or both (readers take the plain one; the next pass removes it once the
 * compressed one reads back equal), or the compressed one. Returns the names compressed.
 */
export function compressArchived(journalDir: string, fsync: boolean, names: readonly string[] = [], others = CONVERT_PER_CHECKPOINT): string[] {
  const archive = join(journalDir, 'archive');
  if (!isSafeDir(archive)) return [];
  const entries = readdirSync(archive);
  const present = new Set(entries);
  for (const name of entries) {
    // Temp files of a pass that crashed (this pattern is ours alone, and we hold the lock).
    if (/^seg-\d{12}\.jsonl\.cz\.\d+\.tmp$/.test(name)) unlinkIfThere(join(archive, name));
  }
  const plain = entries.filter((name) => /^seg-\d{12}\.jsonl$/.test(name)).sort();
  const wanted = new Set(names);
  const order = [...plain.filter((n) => wanted.has(n)), ...plain.filter((n) => !wanted.has(n)).slice(0, others)];
  const done: string[] = [];
  for (const name of order) {
    const path = join(archive, name);
    const packed = `${path}${COMPRESSED_SUFFIX}`;
    // Never through a link: a link is left where it is, for the reader to refuse.
    if (lstatSync(path, { throwIfNoEntry: false })?.isFile() !== true) continue;
    const bytes = readFileSafe(path);
    if (!bytes) continue;
    if (present.has(`${name}${COMPRESSED_SUFFIX}`)) {
      const stat = lstatSync(packed, { throwIfNoEntry: false });
      if (stat && !stat.isFile()) continue;
      const existing = stat ? readFileSafe(packed) : undefined;
      if (existing && sameAs(existing, bytes, name)) {
        // A pass crashed after the rename: finish it.
        unlinkSync(path);
        if (fsync) fsyncDir(archive);
        done.push(name);
        continue;
      }
      if (existing) {
        // Not the plain file's bytes (damaged since): kept aside, never deleted.
        const quarantine = join(journalDir, 'quarantine');
        ensureDir(quarantine);
        renameSync(packed, join(quarantine, `${name}${COMPRESSED_SUFFIX}.${Date.now()}`));
      }
    }
    const compressed = compressSegment(bytes);
    if (!sameAs(compressed, bytes, name)) throw new Error(`journal: compressing ${name} does not read back`); // never: zlib is lossless
    writeFileAtomic(packed, compressed, { fsync });
    if (fsync) fsyncDir(archive);
    unlinkSync(path);
    if (fsync) fsyncDir(archive);
    done.push(name);
  }
  return done;
}

function sameAs(compressed: Buffer, plain: Buffer, label: string): boolean {
  const back = decompressSegment(compressed, label);
  return back.damage.length === 0 && back.bytes.equals(plain);
}

function unlinkIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already
  }
}
