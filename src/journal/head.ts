import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './files.js';

/**
 * `HEAD.json`: a cache of where the journal ends and how far the projections got (the
 * watermark). Rewritten after every mutation; never trusted over the segments: when it is
 * missing or disagrees it is rebuilt from them.
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
}

export const HEAD_FILE = 'HEAD.json';

export function readHead(journalDir: string): Head | undefined {
  try {
    const head = JSON.parse(readFileSync(join(journalDir, HEAD_FILE), 'utf8')) as Head;
    if (head.v !== 1 || !Number.isSafeInteger(head.seq) || typeof head.segment !== 'string' || !Number.isSafeInteger(head.offset)) return undefined;
    if (!Number.isSafeInteger(head.projected) || !Number.isSafeInteger(head.snapshot)) return undefined;
    return head;
  } catch {
    return undefined;
  }
}

/** Written without fsync: it is a cache, rebuilt from the segments when lost. */
export function writeHead(journalDir: string, head: Head): void {
  writeFileAtomic(join(journalDir, HEAD_FILE), `${JSON.stringify(head)}\n`, { fsync: false });
}
