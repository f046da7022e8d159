import { closeSync, fstatSync, readdirSync, readSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { crc32c, crcHex } from './crc32c.js';
import { fsyncDir, writeFileAtomic } from './files.js';
import { openIfPresent, READ, readFileSafe } from './safefs.js';
import type { EntityState } from './state.js';
import type { Entity } from './types.js';

/**
 * A snapshot is the whole state at one seq in one file, `snapshot-<seq>.json`: a header line
 * (seq, where the journal stood, body length and CRC32C) and a compact JSON body. It is a
 * cache written at checkpoints: a cold reader loads the newest one and replays only the
 * journal after it, instead of the whole history or 10k projection files. Written with
 * fsync and rename; lost or damaged snapshots are skipped (an older one, or a full replay,
 * gives the same state).
 */
const SNAPSHOT = /^snapshot-(\d{12})\.json$/;
const NON_ASCII = /[\u0080-\uffff]/g;
const escapeChar = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
/**
 * One snapshot is kept (issue 18: two cost ~150 MB at 100k entities): a damaged one is skipped
 * and the state replays from the segments, which are never deleted (archived ones included),
 * and in index mode the query index serves reads anyway.
 */
const KEEP = 1;
/**
 * zlib's CRC-32 (native, ~1 ms for a 3.5 MB body) where Node has it (20.15+): cheap enough for
 * every cold load, so a flipped bit in a snapshot body that still parses as JSON is caught on
 * the hot path too, not only by doctor's CRC32C (a JS loop, ~35 ms cold).
 */
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

export interface SnapshotHeader {
  readonly v: 1;
  readonly seq: number;
  /** Where the journal continues after this snapshot: segment name and byte offset in it. */
  readonly segment: string;
  readonly offset: number;
  readonly bytes: number;
  readonly crc32c: string;
  /** zlib CRC-32 of the body, checked on every load when present (see nativeCrc32). */
  readonly crc32?: number;
  readonly entities: number;
  /** The body is pure ASCII (non-ASCII escaped), so it may be decoded as latin1. */
  readonly ascii?: true;
  /** The hash chain's value at `seq` (docs/journal.md, "Hash chain"): where `doctor --verify` starts when older segments are gone. */
  readonly chain?: string;
  /**
   * The body is stored compressed (`br`: brotli; issue 18, disk), `zbytes` long on disk; `bytes`
   * and both CRCs are the plain body's. Absent: stored plain (older snapshots read as before).
   */
  readonly z?: 'br';
  readonly zbytes?: number;
}

/** Brotli quality 1: ~6x on the 74 MB body of a 100k-bead town in ~170 ms, read back in ~150 ms (gzip -6: 7.3x but 1.5 s to write). */
const BROTLI_QUALITY = 1;

/** The body as stored, and the header fields saying so. */
function stored(body: Buffer): { data: Buffer; fields: { z: 'br'; zbytes: number } } {
  const data = zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
  return { data, fields: { z: 'br', zbytes: data.length } };
}

export interface LoadedSnapshot {
  readonly header: SnapshotHeader;
  readonly kinds: Map<string, Map<string, Entity>>;
  readonly file: string;
}

export function snapshotName(seq: number): string {
  return `snapshot-${String(seq).padStart(12, '0')}.json`;
}

/** Snapshot files, newest first. */
export function listSnapshots(journalDir: string): { name: string; seq: number }[] {
  const out: { name: string; seq: number }[] = [];
  for (const name of readdirSync(journalDir)) {
    const match = SNAPSHOT.exec(name);
    if (match) out.push({ name, seq: Number(match[1]) });
  }
  return out.sort((a, b) => b.seq - a.seq);
}

export function writeSnapshot(journalDir: string, state: EntityState, at: { segment: string; offset: number }, fsync: boolean, chain?: string): SnapshotHeader {
  const kinds: Record<string, Entity[]> = {};
  for (const [kind, map] of state.entries()) kinds[kind] = [...map.values()];
  // Pure ASCII (non-ASCII escaped as \uXXXX, still the same JSON): a reader decodes it as
  // latin1, the fastest way to a string, and V8 parses one-byte strings fastest.
  const body = Buffer.from(JSON.stringify({ kinds }).replace(NON_ASCII, escapeChar), 'latin1');
  const { data, fields } = stored(body);
  const header: SnapshotHeader = {
    v: 1,
    seq: state.seq,
    segment: at.segment,
    offset: at.offset,
    bytes: body.length,
    crc32c: crcHex(crc32c(body)),
    ...(nativeCrc32 ? { crc32: nativeCrc32(body) } : {}),
    entities: state.count(),
    ascii: true,
    ...(chain !== undefined ? { chain } : {}),
    ...fields,
  };
  return publish(journalDir, state.seq, header, data, fsync);
}

/**
 * Writes a snapshot from entities already in JSON (the query index's rows, never parsed): the
 * same file as {@link writeSnapshot}. `texts` yields [kind, entity JSON], grouped by kind.
 */
export function writeSnapshotTexts(journalDir: string, seq: number, texts: Iterable<[string, string]>, entities: number, at: { segment: string; offset: number }, fsync: boolean, chain?: string): SnapshotHeader {
  const parts: string[] = ['{"kinds":{'];
  let kind: string | undefined;
  let first = true;
  for (const [k, text] of texts) {
    if (k !== kind) {
      parts.push(`${kind === undefined ? '' : '],'}${JSON.stringify(k)}:[`);
      kind = k;
      first = true;
    }
    parts.push(first ? text : `,${text}`);
    first = false;
  }
  parts.push(kind === undefined ? '}}' : ']}}');
  const body = Buffer.from(parts.join('').replace(NON_ASCII, escapeChar), 'latin1');
  const { data, fields } = stored(body);
  const header: SnapshotHeader = {
    v: 1,
    seq,
    segment: at.segment,
    offset: at.offset,
    bytes: body.length,
    crc32c: crcHex(crc32c(body)),
    ...(nativeCrc32 ? { crc32: nativeCrc32(body) } : {}),
    entities,
    ascii: true,
    ...(chain !== undefined ? { chain } : {}),
    ...fields,
  };
  return publish(journalDir, seq, header, data, fsync);
}

/** Writes the snapshot of `seq` (header line, then body) atomically and prunes all but the newest KEEP. */
function publish<H>(journalDir: string, seq: number, header: H, body: Buffer, fsync: boolean): H {
  writeFileAtomic(join(journalDir, snapshotName(seq)), Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), body]), { fsync });
  if (fsync) fsyncDir(journalDir);
  for (const old of listSnapshots(journalDir).slice(KEEP)) {
    try {
      unlinkSync(join(journalDir, old.name));
    } catch {
      // another writer pruned it first
    }
  }
  return header;
}

/** A snapshot's header alone (its claim of how far the journal got), checked for shape and name; undefined when unreadable. */
export function readSnapshotHeader(journalDir: string, name: string): SnapshotHeader | undefined {
  try {
    const fd = openIfPresent(join(journalDir, name), READ);
    if (fd === undefined) return undefined;
    try {
      const first = Buffer.allocUnsafe(4096);
      const got = readSync(fd, first, 0, first.length, 0);
      const nl = first.subarray(0, got).indexOf(10);
      if (nl < 0) return undefined;
      const header = JSON.parse(first.toString('utf8', 0, nl)) as SnapshotHeader;
      if (!headerShapeOk(header) || header.v !== 1 || snapshotName(header.seq) !== name || fstatSync(fd).size !== nl + 1 + (header.zbytes ?? header.bytes)) return undefined;
      return header;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/**
 * Rewrites a snapshot's header with a new journal position (its body, and so its CRC, unchanged):
 * for `doctor --repair`, after it rewrote the segment the snapshot points into.
 */
export function writeSnapshotFile(journalDir: string, snapshot: LoadedSnapshot, at: { segment: string; offset: number }, chain?: string): void {
  const bytes = readFileSafe(snapshot.file);
  if (!bytes) return;
  const nl = bytes.indexOf(10);
  const header: SnapshotHeader = { ...snapshot.header, segment: at.segment, offset: at.offset, ...(chain !== undefined ? { chain } : {}) };
  writeFileAtomic(snapshot.file, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), bytes.subarray(nl + 1)]), { fsync: true });
  fsyncDir(journalDir);
}

/**
 * Loads one snapshot; undefined when it is unreadable or fails its checks. `verify` also
 * checks the body's CRC32C (doctor does; the hot path relies on the header, the length
 * and JSON parsing, since the file was fsynced and renamed into place whole).
 */
export function loadSnapshot(journalDir: string, name: string, verify: boolean): LoadedSnapshot | undefined {
  const file = join(journalDir, name);
  try {
    const parts = readSnapshotParts(file); // never through a link: a linked snapshot is skipped
    if (!parts) return undefined;
    const header = JSON.parse(parts.header) as SnapshotHeader;
    if (!headerShapeOk(header)) return undefined;
    // A snapshot under another's name (copied, or put back by hand) is not the one its name says.
    if (header.v !== 1 || snapshotName(header.seq) !== name || parts.body.length !== (header.zbytes ?? header.bytes)) return undefined;
    // One output chunk of the body's size: no growing and concatenating (~20% of the decompression).
    const body = header.z === 'br' ? zlib.brotliDecompressSync(parts.body, { maxOutputLength: header.bytes + 1, chunkSize: Math.max(64, header.bytes + 1) }) : parts.body;
    if (body.length !== header.bytes) return undefined;
    if (verify && crcHex(crc32c(body)) !== header.crc32c) return undefined;
    if (!verify && header.crc32 !== undefined && nativeCrc32 && nativeCrc32(body) !== header.crc32) return undefined;
    // Written as ASCII (see writeSnapshot): latin1 decoding is exact and cheapest. A snapshot
    // without the `ascii` mark is decoded as UTF-8.
    const parsed = JSON.parse(body.toString(header.ascii ? 'latin1' : 'utf8')) as { kinds: Record<string, Entity[]> };
    const kinds = new Map<string, Map<string, Entity>>();
    let count = 0;
    for (const [kind, list] of Object.entries(parsed.kinds)) {
      const map = new Map<string, Entity>();
      for (const entity of list) map.set(entity.id, entity);
      count += map.size;
      kinds.set(kind, map);
    }
    if (count !== header.entities) return undefined;
    return { header, kinds, file };
  } catch {
    return undefined;
  }
}

/**
 * The header line and the body of a snapshot file, the body read into a buffer of its own:
 * zlib's CRC-32 of a whole buffer is ~0.7 ms for 3 MB, of a slice of a bigger one several times that.
 */
function readSnapshotParts(file: string): { header: string; body: Buffer } | undefined {
  const fd = openIfPresent(file, READ);
  if (fd === undefined) return undefined;
  try {
    const size = fstatSync(fd).size;
    const first = Buffer.allocUnsafe(Math.min(size, 4096));
    const got = readSync(fd, first, 0, first.length, 0);
    const nl = first.subarray(0, got).indexOf(10);
    if (nl < 0) return undefined;
    const body = Buffer.allocUnsafe(size - nl - 1);
    let read = 0;
    while (read < body.length) {
      const n = readSync(fd, body, read, body.length - read, nl + 1 + read);
      if (n === 0) break;
      read += n;
    }
    return { header: first.toString('utf8', 0, nl), body: body.subarray(0, read) };
  } finally {
    closeSync(fd);
  }
}

/** Every header field of the type it must be (a flipped bit in a key leaves the JSON valid). */
function headerShapeOk(header: SnapshotHeader): boolean {
  const int = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) >= 0;
  return (
    typeof header === 'object' &&
    header !== null &&
    int(header.seq) &&
    typeof header.segment === 'string' &&
    /^seg-\d{12}\.jsonl$/.test(header.segment) &&
    int(header.offset) &&
    int(header.bytes) &&
    int(header.entities) &&
    typeof header.crc32c === 'string' &&
    (header.crc32 === undefined || int(header.crc32)) &&
    (header.chain === undefined || (typeof header.chain === 'string' && /^[0-9a-f]{64}$/.test(header.chain))) &&
    (header.z === undefined ? header.zbytes === undefined : header.z === 'br' && int(header.zbytes))
  );
}
