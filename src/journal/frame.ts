import { CitadelError } from '../common/errors.js';
import { GENESIS, HASH_HEX, link, sha256Hex } from './chain-hash.js';
import { LOST_LINE_PREFIX } from './archive.js';
import { crc32c, crcHex } from './crc32c.js';
import type { JournalRecord } from './types.js';

/**
 * A record on disk is one line framed by newlines: `"\n" + {"crc32c":"<8 hex>","rec":BODY} + "\n"`.
 * The CRC covers BODY's bytes exactly, so a reader checks it without re-serialising; the line is
 * still plain JSON for jq and eyes. The leading newline ends any torn fragment a crashed writer
 * left, so one bad write never swallows the next record.
 */
const PREFIX = '{"crc32c":"';
const MIDDLE = '","rec":';
/** Bytes before BODY: PREFIX + 8 hex digits + MIDDLE. */
export const BODY_START = PREFIX.length + 8 + MIDDLE.length;
const PREFIX_BYTES = Buffer.from(PREFIX);
const LOST_BYTES = Buffer.from(LOST_LINE_PREFIX);
const MIDDLE_BYTES = Buffer.from(MIDDLE);
const NEWLINE = 10;
const CLOSE_BRACE = 0x7d;

/**
 * Encodes records (one mutation) as the single buffer written with one `write`. Returns the
 * records as a reader will parse them back, so this process's memory equals any replay.
 * With `prev` (the chain value of the record before them) each record carries `prev` and the
 * chain goes on through the batch; `chain` is the value after the last one (see chain-hash.ts).
 */
export function encodeRecords(records: readonly JournalRecord[], prev?: string): { buffer: Buffer; stored: JournalRecord[]; chain: string | undefined } {
  const parts: Buffer[] = [];
  const stored: JournalRecord[] = [];
  let chain = prev;
  for (const record of records) {
    let json = JSON.stringify(record);
    if (chain !== undefined) {
      // prev right after seq: {"v":1,"seq":N,"prev":"…",…}. Spliced into the text (cheaper than
      // rebuilding the object); a record built elsewhere with other keys first is rebuilt.
      const head = `{"v":${record.v},"seq":${record.seq},`;
      if (json.startsWith(head) && record.prev === undefined) json = `${head}"prev":"${chain}",${json.slice(head.length)}`;
      else {
        const { v, seq, prev: _old, ...rest } = record;
        json = JSON.stringify({ v, seq, prev: chain, ...rest });
      }
    }
    const body = Buffer.from(json);
    parts.push(Buffer.from(`\n${PREFIX}${crcHex(crc32c(body))}${MIDDLE}`), body, Buffer.from('}\n'));
    stored.push(JSON.parse(json) as JournalRecord);
    if (chain !== undefined) chain = link(chain, sha256Hex(body));
  }
  return { buffer: Buffer.concat(parts), stored, chain };
}

export type LineCheck = { ok: true; record: JournalRecord } | { ok: false; reason: string };

/** Checks one line `bytes[start, end)` (without its newline): frame, CRC, JSON and record shape. */
export function checkLine(bytes: Buffer, start: number, end: number): LineCheck {
  const length = end - start;
  if (length < BODY_START + 3) return { ok: false, reason: 'line too short for a record frame' };
  if (bytes.compare(PREFIX_BYTES, 0, PREFIX_BYTES.length, start, start + PREFIX_BYTES.length) !== 0) {
    // A damaged block of a compressed archive, as its reader stands in for it (src/journal/archive.ts).
    if (bytes.compare(LOST_BYTES, 0, LOST_BYTES.length, start, start + LOST_BYTES.length) === 0) {
      const text = bytes.toString('latin1', start + LOST_BYTES.length, end);
      return { ok: false, reason: text.slice(0, Math.max(0, text.lastIndexOf('"}'))) || 'a compressed block is damaged' };
    }
    return { ok: false, reason: 'bad frame (no crc32c prefix)' };
  }
  const hexStart = start + PREFIX_BYTES.length;
  if (bytes.compare(MIDDLE_BYTES, 0, MIDDLE_BYTES.length, hexStart + 8, hexStart + 8 + MIDDLE_BYTES.length) !== 0) {
    return { ok: false, reason: 'bad frame (no rec field)' };
  }
  if (bytes[end - 1] !== CLOSE_BRACE) return { ok: false, reason: 'bad frame (no closing brace)' };
  const stored = bytes.toString('latin1', hexStart, hexStart + 8);
  const bodyStart = start + BODY_START;
  const bodyEnd = end - 1;
  if (!/^[0-9a-f]{8}$/.test(stored) || parseInt(stored, 16) !== crc32c(bytes, bodyStart, bodyEnd)) {
    return { ok: false, reason: 'CRC32C mismatch' };
  }
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8', bodyStart, bodyEnd));
  } catch {
    return { ok: false, reason: 'body is not valid JSON' };
  }
  const problem = shapeProblem(value);
  return problem ? { ok: false, reason: problem } : { ok: true, record: value as JournalRecord };
}

function shapeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'body is not an object';
  const r = value as Record<string, unknown>;
  if (r.v !== 1) return `unknown record version ${JSON.stringify(r.v)}`;
  if (!Number.isSafeInteger(r.seq) || (r.seq as number) < 1) return 'seq is not a positive integer';
  if (typeof r.kind !== 'string' || typeof r.id !== 'string' || typeof r.action !== 'string') return 'kind, id or action missing';
  if (r.deleted !== true && (typeof r.entity !== 'object' || r.entity === null)) return 'neither entity nor deleted';
  if (r.batch !== undefined && (!Number.isSafeInteger(r.batch) || (r.batch as number) < 2)) return 'bad batch size';
  if (r.prev !== undefined && (typeof r.prev !== 'string' || !HASH_HEX.test(r.prev))) return 'bad prev hash';
  if (r.replaces !== undefined && (typeof r.replaces !== 'string' || !HASH_HEX.test(r.replaces))) return 'bad replaces hash';
  return undefined;
}

/**
 * Where a scan stopped early: damage at `offset` (the bad line), where `seq` was expected; for
 * an unfinished write, `offset` is where its mutation starts (the cut point).
 */
export interface ScanStop {
  readonly offset: number;
  readonly seq: number;
  readonly reason: string;
  /** True when the line has no trailing newline or the last mutation's batch is incomplete: what a crash mid-write leaves. */
  readonly unfinished: boolean;
}

export interface ScanResult {
  /** Records of complete mutations, in order. */
  readonly records: JournalRecord[];
  /** Byte offset just after the last complete mutation. */
  readonly end: number;
  /** The seq of the last complete record (or the `afterSeq` given). */
  readonly lastSeq: number;
  readonly stop: ScanStop | undefined;
  /** The hash chain's value after the last complete record (undefined when there is none). */
  readonly chain: string | undefined;
}

/**
 * Scans `bytes` from `start`, expecting seq `afterSeq + 1` next. Returns the records of complete
 * mutations and where it stopped. It never throws: the caller decides whether a stop is a torn
 * tail (set aside) or corruption (fail closed).
 */
export function scanRecords(bytes: Buffer, start: number, afterSeq: number, onRecord?: (record: JournalRecord) => void): ScanResult {
  const records: JournalRecord[] = [];
  let pos = start;
  let end = start;
  let lastSeq = afterSeq;
  let batch: JournalRecord[] = [];
  let batchStart = start;
  let batchSize = 0;
  /** The last complete record's line: its chain value is computed once, at the end (one hash per scan). */
  let last: { start: number; end: number; record: JournalRecord } | undefined;
  let lineStart = start;
  const chainValue = (): string | undefined => (last ? link(last.record.prev ?? GENESIS, sha256Hex(bytes.subarray(last.start + BODY_START, last.end - 1))) : undefined);
  const stopAt = (offset: number, reason: string, unfinished: boolean, seq = lastSeq + 1): ScanResult => ({
    records,
    end,
    lastSeq,
    stop: { offset, seq, reason, unfinished },
    chain: chainValue(),
  });
  while (pos < bytes.length) {
    if (bytes[pos] === NEWLINE) {
      pos++;
      continue;
    }
    const nl = bytes.indexOf(NEWLINE, pos);
    if (nl === -1) return stopAt(batch.length ? batchStart : pos, 'unterminated last line (a write that did not finish)', true);
    // Damage is reported at the bad line itself, with the seq expected there (not at the start
    // of its mutation): one flipped bit names one record, even inside a batch of thousands.
    const expected = lastSeq + batch.length + 1;
    const checked = checkLine(bytes, pos, nl);
    if (!checked.ok) return stopAt(pos, checked.reason, false, expected);
    const record = checked.record;
    if (record.seq !== expected) {
      return stopAt(pos, record.seq < expected ? `seq ${record.seq} repeated (expected ${expected})` : `seq gap: found ${record.seq}, expected ${expected}`, false, expected);
    }
    const size = record.batch ?? 1;
    if (batch.length === 0) {
      batchStart = pos;
      batchSize = size;
    } else if (size !== batchSize) {
      return stopAt(batchStart, `mutation of ${batchSize} records cut short at seq ${record.seq}`, false);
    }
    batch.push(record);
    lineStart = pos;
    pos = nl + 1;
    if (batch.length === batchSize) {
      last = { start: lineStart, end: nl, record };
      for (const r of batch) {
        records.push(r);
        onRecord?.(r);
      }
      lastSeq += batch.length;
      batch = [];
      end = pos;
    }
  }
  if (batch.length) return stopAt(batchStart, `last mutation incomplete (${batch.length} of ${batchSize} records)`, true);
  return { records, end, lastSeq, stop: undefined, chain: chainValue() };
}

/** The fail-closed error for damage that is not a torn tail. */
export function corruptError(segmentPath: string, stop: ScanStop): CitadelError {
  return new CitadelError(
    'corrupt',
    `journal corrupt: ${segmentPath} at byte ${stop.offset} (seq ${stop.seq}): ${stop.reason}; run \`citadel doctor\` to inspect and \`citadel doctor --repair\` to quarantine it`,
    { segment: segmentPath, offset: stop.offset, seq: stop.seq, reason: stop.reason },
  );
}

/** The fail-closed error for a segment that does not start where the previous one ended. */
export function gapError(segmentPath: string, expected: number, firstSeq: number): CitadelError {
  return new CitadelError(
    'corrupt',
    `journal corrupt: ${segmentPath} at byte 0 (seq ${expected}): segment starts at seq ${firstSeq}, expected ${expected}; run \`citadel doctor\``,
    { segment: segmentPath, offset: 0, seq: expected, reason: `segment starts at seq ${firstSeq}` },
  );
}
