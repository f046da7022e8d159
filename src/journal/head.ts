import { closeSync, fstatSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { HASH_HEX } from './chain-hash.js';
import { crc32c, crcHex } from './crc32c.js';
import { openIfPresent, openSafe, READ, READ_WRITE, READ_WRITE_CREATE } from './safefs.js';

/**
 * `HEAD.json`: a cache of where the journal ends and how far the projections got (the
 * watermark). Never trusted over the segments: when it is missing, damaged or disagrees it is
 * rebuilt from them. It is rewritten in place after every mutation (one `pwrite` of a
 * fixed-size, space-padded line carrying its own CRC32C): a temp file and a rename would cost
 * an ext4 data flush per mutation (auto_da_alloc), for a file that is only a cache.
 */
export interface Head {
  readonly v: 1;
  /** The last seq in the journal. */
  readonly seq: number;
  /** The active segment's name and its committed size. */
  readonly segment: string;
  readonly offset: number;
  /** The seq the projection files reflect (the projection watermark). */
  readonly projected: number;
  /** The seq of the newest snapshot (0 when none). */
  readonly snapshot: number;
  /** The hash chain's value at `seq` (docs/journal.md, "Hash chain"); absent when not known yet. */
  readonly chain?: string;
}

export const HEAD_FILE = 'HEAD.json';
const SIZE = 256;

/** HEAD.json, or undefined when missing or damaged; a link or a directory in its place is refused. */
export function readHead(journalDir: string): Head | undefined {
  const fd = openIfPresent(join(journalDir, HEAD_FILE), READ);
  if (fd === undefined) return undefined;
  try {
    const buffer = Buffer.allocUnsafe(SIZE);
    const n = readSync(fd, buffer, 0, SIZE, 0);
    const text = buffer.toString('utf8', 0, n).trimEnd();
    const parsed = JSON.parse(text) as Head & { crc32c?: string };
    const { crc32c: stored, ...head } = parsed;
    if (stored !== crcHex(crc32c(Buffer.from(JSON.stringify(head))))) return undefined;
    if (head.v !== 1 || !Number.isSafeInteger(head.seq) || typeof head.segment !== 'string' || !/^seg-\d{12}\.jsonl$/.test(head.segment) || !Number.isSafeInteger(head.offset)) return undefined;
    if (!Number.isSafeInteger(head.projected) || !Number.isSafeInteger(head.snapshot)) return undefined;
    if (head.chain !== undefined && (typeof head.chain !== 'string' || !HASH_HEX.test(head.chain))) return undefined;
    return head;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Holds HEAD.json open for one journal handle's writes. Not fsynced: a cache. */
export class HeadWriter {
  private fd: number | undefined;
  constructor(private readonly journalDir: string) {}

  write(head: Head): void {
    const body = JSON.stringify(head);
    const line = `${JSON.stringify({ ...head, crc32c: crcHex(crc32c(Buffer.from(body))) })}`.padEnd(SIZE - 1, ' ') + '\n';
    if (this.fd !== undefined && fstatSync(this.fd).nlink === 0) {
      // HEAD.json was deleted by hand while we held it open: write the new file, not the ghost.
      this.close();
    }
    if (this.fd === undefined) {
      const file = join(this.journalDir, HEAD_FILE);
      try {
        this.fd = openSafe(file, READ_WRITE);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        this.fd = openSafe(file, READ_WRITE_CREATE);
      }
    }
    writeSync(this.fd, line, 0);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
