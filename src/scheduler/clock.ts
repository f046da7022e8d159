import { readFileSync } from 'node:fs';

/**
 * The scheduler's clock, epoch ms. Real time, unless `CITADEL_TEST_CLOCK_FILE` names a file
 * holding a number of milliseconds to add to it: tests move a town's time forward (a deferred
 * bead comes due) without waiting, and the whole town — the daemon's scheduler and
 * `citadel town status` — reads the same file. Read at every call (the file is tiny), so a
 * change takes effect at the next tick.
 */
export function townClock(env: NodeJS.ProcessEnv): () => number {
  const file = env.CITADEL_TEST_CLOCK_FILE;
  if (!file) return () => Date.now();
  return () => {
    let offset = 0;
    try {
      offset = Number(readFileSync(file, 'utf8').trim()) || 0;
    } catch {
      // No file yet: real time.
    }
    return Date.now() + offset;
  };
}
