import { closeSync, constants, ftruncateSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { linkRefused } from '../town/private-fs.js';

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
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    // Never through a link (a clone may bring `.citadel/run/refinery.lock` pointing anywhere).
    fd = openSync(file, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw linkRefused(file);
    throw error;
  }
  try {
    fsExt.flockSync(fd, 'exnb');
  } catch (error) {
    closeSync(fd);
    if ((error as NodeJS.ErrnoException).code === 'EAGAIN' || (error as NodeJS.ErrnoException).code === 'EWOULDBLOCK') {
      throw new CitadelError('conflict', `${what} is already running (lock ${file} is held)`);
    }
    throw error;
  }
  ftruncateSync(fd, 0);
  writeSync(fd, `${process.pid}\n`, 0);
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

/**
 * Runs `fn` holding the `flock` on `file`, waiting for it (polling, up to `timeoutMs`) when
 * another process holds it. For git operations that must not interleave across processes,
 * such as `git worktree prune` and `git worktree add` (a prune can delete the half-made
 * administrative folder of another process's add).
 */
export async function withLock<T>(file: string, what: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let release: (() => void) | undefined;
  for (let wait = 5; !release; wait = Math.min(wait * 2, 100)) {
    try {
      release = acquireLock(file, what);
    } catch (error) {
      if (!(error instanceof CitadelError && error.code === 'conflict') || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  try {
    return await fn();
  } finally {
    release();
  }
}
