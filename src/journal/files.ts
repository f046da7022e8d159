import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { CREATE_NEW, DIRECTORY, openSafe } from './safefs.js';

/** fsyncs a directory, so a rename or a new file in it survives a power cut. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `file` atomically: a new temp file beside it (0600, never through a link), optionally
 * fsynced, then renamed over it (a rename replaces a link at `file`, it never writes through it).
 * A write that fails (ENOSPC) removes the temp file and throws.
 */
export function writeFileAtomic(file: string, data: string | Buffer, options: { fsync: boolean }): void {
  const temp = `${file}.${process.pid}.tmp`;
  let fd: number;
  try {
    fd = openSafe(temp, CREATE_NEW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    unlinkSync(temp); // left by this pid's earlier crash (pids are reused)
    fd = openSafe(temp, CREATE_NEW);
  }
  try {
    try {
      const buffer = typeof data === 'string' ? Buffer.from(data) : data;
      let written = 0;
      while (written < buffer.length) written += writeSync(fd, buffer, written, buffer.length - written);
      if (options.fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
    throw error;
  }
}
