import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Whether a refinery worker runs for the town (from its lock file's pid: no lock taken). */
export interface RefineryWorker {
  readonly running: boolean;
  readonly pid: number | null;
}

/** Reads `.citadel/run/refinery.lock`; the pid there is alive only while a worker holds it. */
export function refineryWorker(runDir: string): RefineryWorker {
  let pid: number;
  try {
    pid = Number(readFileSync(join(runDir, 'refinery.lock'), 'utf8').trim());
  } catch {
    return { running: false, pid: null };
  }
  if (!Number.isInteger(pid) || pid <= 1) return { running: false, pid: null };
  try {
    process.kill(pid, 0);
    return { running: true, pid };
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? { running: true, pid } : { running: false, pid: null };
  }
}
