import { closeSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Takes the town's daemon lock (kernel flock, released by the kernel even on kill -9), or
 * returns undefined when another daemon holds it. The returned function releases it.
 */
export function tryLockInstance(file: string): (() => void) | undefined {
  const { flockSync } = require('fs-ext') as { flockSync(fd: number, flags: 'exnb' | 'un'): void };
  const fd = openSync(file, 'a', 0o600);
  try {
    flockSync(fd, 'exnb');
  } catch (error) {
    closeSync(fd);
    if (['EAGAIN', 'EWOULDBLOCK'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
  return () => closeSync(fd);
}
