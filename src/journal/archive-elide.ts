import { GENESIS, link, sha256Hex } from './chain-hash.js';
import { crc32c, crcHex } from './crc32c.js';

/**
 * Derivable fields left out of a compressed archive's blocks (issue 18, disk; docs/journal.md,
 * "Disk"). Every record frame is `{"crc32c":"<8 hex>","rec":BODY}` and, since the hash chain,
 * BODY starts `{"v":1,"seq":N,"prev":"<64 hex>",…`. Both values are derivable from the bytes
 * around them — the CRC32C from BODY, `prev` from the record before it (chain-hash.ts) — and they
 * are the least compressible part of a record (78 → 32 bytes per record compressed, on the
 * bench town). So a block is stored with:
 *
 * - the CRC32C value replaced by an empty string, `{"crc32c":"","rec":…`, when it is BODY's
 *   (only with `crc`: the block's own CRC-32 then vouches for the restored bytes);
 * - `prev`'s value replaced by an empty string, `"prev":""`, when the record line before it in
 *   the same block (blank lines between are skipped) is a record whose chain value is this
 *   `prev`. The first record of a block, and one after a line that is not a record, keep theirs.
 *
 * `restoreBlock` rebuilds the plain bytes in order: `prev` from the previous restored record,
 * then the CRC32C of the restored body. A plain segment never holds `"crc32c":""` nor
 * `"prev":""` (the writer always writes the values), and a block is stored elided only when it
 * restores byte for byte (checked by the archive's writer, which flags the block in its header).
 */

const PREFIX = Buffer.from('{"crc32c":"');
const MIDDLE = Buffer.from('","rec":');
/** An elided frame's start: `{"crc32c":"","rec":`. */
const ELIDED = Buffer.concat([PREFIX, MIDDLE]);
const FULL_HEAD = PREFIX.length + 8 + MIDDLE.length;
const BODY_HEAD = Buffer.from('{"v":1,"seq":');
const PREV_KEY = Buffer.from(',"prev":"');
const NEWLINE = 10;
const QUOTE = 0x22;
const CLOSE_BRACE = 0x7d;

const isHex = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);
const startsWith = (bytes: Buffer, at: number, end: number, what: Buffer): boolean => end - at >= what.length && bytes.compare(what, 0, what.length, at, at + what.length) === 0;

/**
 * Where `prev`'s value starts in the body `bytes[start, end)` when the body opens with
 * `{"v":1,"seq":N,"prev":"` (as every chained record does): the index after that quote; -1 if not.
 */
function prevValueAt(bytes: Buffer, start: number, end: number): number {
  if (!startsWith(bytes, start, end, BODY_HEAD)) return -1;
  let i = start + BODY_HEAD.length;
  const digits = i;
  while (i < end && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) i++;
  if (i === digits || !startsWith(bytes, i, end, PREV_KEY)) return -1;
  return i + PREV_KEY.length;
}

/** `prev` as written (64 lowercase hex digits then a quote) at `at`, or undefined. */
function prevHexAt(bytes: Buffer, at: number, end: number): string | undefined {
  if (at < 0 || at + 65 > end || bytes[at + 64] !== QUOTE) return undefined;
  for (let i = at; i < at + 64; i++) if (!isHex(bytes[i]!)) return undefined;
  return bytes.toString('latin1', at, at + 64);
}

const HEX_DIGITS = Buffer.from('0123456789abcdef');

/** Writes `value` as 8 lowercase hex digits at `at` (as `crcHex`, without a string). */
function writeHex8(out: Buffer, at: number, value: number): void {
  for (let i = 7; i >= 0; i--) {
    out[at + i] = HEX_DIGITS[value & 15]!;
    value >>>= 4;
  }
}

/**
 * The block with its derivable fields left out (see the top of this file); `crc`: leave out the
 * CRC32C values too. Lines that are not well-formed records (a bad CRC, a torn fragment, a
 * lost-block line) are kept as they are and end the run of derivable `prev`s.
 */
export function elideBlock(block: Buffer, crc: boolean): Buffer {
  const out = Buffer.allocUnsafe(block.length);
  let w = 0;
  /** The chain value of the previous line when it is a record; undefined after any other line. */
  let chain: string | undefined;
  for (let pos = 0; pos < block.length; ) {
    if (block[pos] === NEWLINE) {
      out[w++] = NEWLINE;
      pos++;
      continue;
    }
    const nl = block.indexOf(NEWLINE, pos);
    const end = nl === -1 ? block.length : nl;
    const bodyStart = pos + FULL_HEAD;
    const bodyEnd = end - 1;
    const record =
      bodyEnd > bodyStart &&
      block[bodyEnd] === CLOSE_BRACE &&
      startsWith(block, pos, end, PREFIX) &&
      startsWith(block, pos + PREFIX.length + 8, end, MIDDLE) &&
      startsWith(block, bodyStart, bodyEnd, BODY_HEAD) &&
      block.toString('latin1', pos + PREFIX.length, pos + PREFIX.length + 8) === crcHex(crc32c(block, bodyStart, bodyEnd));
    if (!record) {
      w += block.copy(out, w, pos, end);
      chain = undefined;
      pos = end;
      continue;
    }
    const prevAt = prevValueAt(block, bodyStart, bodyEnd);
    const prev = prevHexAt(block, prevAt, bodyEnd);
    w += (crc ? ELIDED : block).copy(out, w, crc ? 0 : pos, crc ? ELIDED.length : bodyStart);
    if (prev !== undefined && prev === chain) {
      w += block.copy(out, w, bodyStart, prevAt);
      w += block.copy(out, w, prevAt + 64, end);
    } else w += block.copy(out, w, bodyStart, end);
    chain = link(prev ?? GENESIS, sha256Hex(block.subarray(bodyStart, bodyEnd)));
    pos = end;
  }
  return out.subarray(0, w);
}

/**
 * The plain block an elided one was made from, `plainBytes` long; a string saying why when it
 * cannot be (damage: the caller loses the block). The caller still checks the block's CRC-32.
 */
export function restoreBlock(elided: Buffer, plainBytes: number): Buffer | string {
  const out = Buffer.allocUnsafe(plainBytes);
  let w = 0;
  /** The previous line's body in `out` and its `prev` when restored here, when it was a record frame (its chain value is computed only if asked). */
  let previous: { start: number; end: number; prev: string | undefined } | undefined;
  const room = (n: number): boolean => w + n <= plainBytes;
  for (let pos = 0; pos < elided.length; ) {
    if (elided[pos] === NEWLINE) {
      if (!room(1)) return `restores to more than ${plainBytes} bytes`;
      out[w++] = NEWLINE;
      pos++;
      continue;
    }
    const nl = elided.indexOf(NEWLINE, pos);
    const end = nl === -1 ? elided.length : nl;
    const crcElided = startsWith(elided, pos, end, ELIDED);
    const frame = crcElided || (startsWith(elided, pos, end, PREFIX) && startsWith(elided, pos + PREFIX.length + 8, end, MIDDLE));
    const bodyStart = pos + (crcElided ? ELIDED.length : FULL_HEAD);
    if (!frame || end - 1 <= bodyStart || elided[end - 1] !== CLOSE_BRACE) {
      if (crcElided) return `an elided record frame without its body at byte ${pos}`;
      if (!room(end - pos)) return `restores to more than ${plainBytes} bytes`;
      w += elided.copy(out, w, pos, end);
      previous = undefined;
      pos = end;
      continue;
    }
    const prevAt = prevValueAt(elided, bodyStart, end - 1);
    const prevElided = prevAt !== -1 && elided[prevAt] === QUOTE;
    if (!room(end - pos + (crcElided ? 8 : 0) + (prevElided ? 64 : 0))) return `restores to more than ${plainBytes} bytes`;
    const crcAt = w + PREFIX.length;
    w += elided.copy(out, w, pos, crcElided ? pos + PREFIX.length : bodyStart);
    if (crcElided) {
      w += 8;
      w += MIDDLE.copy(out, w);
    }
    const restoredBody = w;
    let prev: string | undefined;
    if (prevElided) {
      if (!previous) return `an elided prev with no record before it at byte ${pos}`;
      const before = previous.prev ?? prevHexAt(out, prevValueAt(out, previous.start, previous.end), previous.end) ?? GENESIS;
      prev = link(before, sha256Hex(out.subarray(previous.start, previous.end)));
      w += elided.copy(out, w, bodyStart, prevAt);
      w += out.write(prev, w, 'latin1');
      w += elided.copy(out, w, prevAt, end);
    } else w += elided.copy(out, w, bodyStart, end);
    if (crcElided) writeHex8(out, crcAt, crc32c(out, restoredBody, w - 1));
    previous = { start: restoredBody, end: w - 1, prev };
    pos = end;
  }
  return w === plainBytes ? out : `restores to ${w} bytes, not ${plainBytes}`;
}
