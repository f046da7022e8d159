import { closeSync, ftruncateSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { openSafe, READ_WRITE_CREATE, readFileSafe } from '../journal/safefs.js';

type FlockSync = (fd: number, flags: 'exnb' | 'un') => void;
const require = createRequire(import.meta.url);
const flockSync = (require('fs-ext') as { flockSync: FlockSync }).flockSync;

/**
 * One sync at a time per town: `flock(2)` on `.citadel/federation/sync.lock` (the kernel frees
 * it when the holder dies, kill -9 included). Two syncs would not corrupt anything — every step
 * is a compare-and-swap — but they would redo each other's work.
 */
export async function withSyncLock<T>(federationDir: string, work: () => Promise<T>, waitMs = 30_000): Promise<T> {
  const path = join(federationDir, 'sync.lock');
  const fd = openSafe(path, READ_WRITE_CREATE);
  try {
    const deadline = Date.now() + waitMs;
    for (;;) {
      try {
        flockSync(fd, 'exnb');
        break;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK') throw error;
        if (Date.now() > deadline) {
          const holder = readFileSafe(path)?.toString('utf8').trim() || 'unknown';
          throw new CitadelError('unavailable', `another citadel sync of this town is running (${holder}); wait for it, or stop its \`citadel sync --watch\``);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    ftruncateSync(fd, 0);
    writeSync(fd, `pid ${process.pid} since ${new Date().toISOString()}\n`, 0);
    return await work();
  } finally {
    closeSync(fd); // closing the descriptor releases the flock
  }
}
