import { closeSync, constants, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { acquireLock } from '../git/lock.js';
import { ensurePrivateDir } from '../town/private-fs.js';

const require = createRequire(import.meta.url);

/**
 * Takes the town's daemon lock (`.citadel/run/daemon.lock`: a kernel flock, released by the
 * kernel even on kill -9), or returns undefined when another daemon holds it. The lock is in
 * the town, not beside the socket, so that no environment — another runtime directory, one
 * deleted under a running daemon — can start a second daemon for the town. The holder's pid is
 * written in the file. The returned function releases it.
 */
export function tryLockInstance(file: string): (() => void) | undefined {
  ensurePrivateDir(dirname(file));
  // A few tries: `instanceLockHolder` (daemon status, a client) holds the lock for an instant.
  for (let attempt = 0; ; attempt++) {
    try {
      return acquireLock(file, 'the town daemon');
    } catch (error) {
      if (!(error instanceof CitadelError && error.code === 'conflict')) throw error;
      if (attempt === 4) return undefined;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

/**
 * Whether a daemon holds the town's lock, and its pid (read from the file). Probes with a
 * non-blocking flock taken and released at once (a daemon starting in that instant tries
 * again: `tryLockInstance`).
 */
export function instanceLockHolder(file: string): { pid: number | undefined } | undefined {
  const { flockSync } = require('fs-ext') as { flockSync(fd: number, flags: 'exnb' | 'un'): void };
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    try {
      flockSync(fd, 'exnb');
    } catch (error) {
      if (!['EAGAIN', 'EWOULDBLOCK'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
      const pid = Number.parseInt(readFileSync(fd, 'utf8').trim(), 10);
      return { pid: Number.isInteger(pid) && pid > 0 ? pid : undefined };
    }
    flockSync(fd, 'un');
    return undefined;
  } finally {
    closeSync(fd);
  }
}
