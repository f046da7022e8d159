import { closeSync, fsyncSync, ftruncateSync, readSync, fstatSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fsyncDir } from './files.js';
import { APPEND_CREATE, openSafe, READ_WRITE, REPLACE } from './safefs.js';

/** Every repair the journal makes on its own or through `citadel doctor --repair` is logged here, one JSON line each. */
export const RECOVERY_LOG = 'recovery.log';

export interface RecoveryEvent {
  readonly action: 'set-aside-torn-tail' | 'quarantine' | 'rebuild-projections' | 'rebuild-index' | 'drop-snapshot' | 'recover' | 'remove-projection';
  readonly segment?: string;
  readonly offset?: number;
  readonly bytes?: number;
  readonly file?: string;
  readonly detail?: string;
}

export function logRecovery(journalDir: string, event: RecoveryEvent): void {
  try {
    const fd = openSafe(join(journalDir, RECOVERY_LOG), APPEND_CREATE);
    try {
      writeSync(fd, `${JSON.stringify({ ts: new Date().toISOString(), pid: process.pid, ...event })}\n`);
    } finally {
      closeSync(fd);
    }
  } catch {
    // the log is for people; a failure to log must not undo a recovery already made
  }
}

/**
 * Sets aside the torn tail of the newest segment (bytes from `offset` to its end), which a
 * writer killed mid-append left: the bytes go to `<segment>.<offset>.broken` (kept for
 * inspection, fsynced), then the segment is cut back to `offset` and fsynced. Only under the
 * store lock, when no one can be writing.
 */
export function setAsideTornTail(segmentPath: string, offset: number, fsync = true): RecoveryEvent {
  const fd = openSafe(segmentPath, READ_WRITE);
  try {
    const size = fstatSync(fd).size;
    const torn = Buffer.alloc(size - offset);
    let read = 0;
    while (read < torn.length) {
      const n = readSync(fd, torn, read, torn.length - read, offset + read);
      if (n === 0) break;
      read += n;
    }
    const broken = `${segmentPath}.${offset}.broken`;
    const brokenFd = openSafe(broken, REPLACE);
    try {
      let written = 0;
      while (written < read) written += writeSync(brokenFd, torn, written, read - written);
      if (fsync) fsyncSync(brokenFd);
    } finally {
      closeSync(brokenFd);
    }
    ftruncateSync(fd, offset);
    if (fsync) {
      fsyncSync(fd);
      fsyncDir(dirname(segmentPath));
    }
    const event: RecoveryEvent = { action: 'set-aside-torn-tail', segment: basename(segmentPath), offset, bytes: read, file: basename(broken) };
    logRecovery(dirname(segmentPath), event);
    return event;
  } finally {
    closeSync(fd);
  }
}
