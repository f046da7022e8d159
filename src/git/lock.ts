import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { CitadelError } from '../common/errors.js';

interface FsExt {
  flockSync(fd: number, flags: 'exnb' | 'un'): void;
}

/**
 * An exclusive, non-blocking `flock` on `file`: held until released or until the process
 * dies (a `kill -9` frees it, so a crashed refinery never blocks its successor). The pid is
 * written in the file for diagnosis only.
 */
export function acquireLock(file: string, what: string): () => void {
  const fsExt = createRequire(import.meta.url)('fs-ext') as FsExt;
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(file, 'a+');
  try {
    fsExt.flockSync(fd, 'exnb');
  } catch (error) {
    closeSync(fd);
    if ((error as NodeJS.ErrnoException).code === 'EAGAIN' || (error as NodeJS.ErrnoException).code === 'EWOULDBLOCK') {
      throw new CitadelError('conflict', `${what} is already running (lock ${file} is held)`);
    }
    throw error;
  }
  writeFileSync(file, `${process.pid}\n`);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      fsExt.flockSync(fd, 'un');
    } finally {
      closeSync(fd);
    }
  };
}
