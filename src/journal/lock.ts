import { closeSync, ftruncateSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { openIfPresent, openSafe, READ, READ_WRITE_CREATE, readFileSafe } from './safefs.js';

/**
 * The store lock: `flock(2)` on `<journal>/LOCK`, through fs-ext. The kernel holds it for the
 * open file, so a holder killed with `kill -9` releases it the instant it dies: no stale lock
 * files, no pid guessing, no clock. It is only ever tried without blocking (LOCK_NB), with a
 * short backoff between tries, so an async caller never stalls its event loop or a libuv thread.
 * The holder writes its pid, start time and writer into the file for `citadel doctor`.
 */
type FlockSync = (fd: number, flags: 'exnb' | 'shnb' | 'un') => void;
const require = createRequire(import.meta.url);
const flockSync = (require('fs-ext') as { flockSync: FlockSync }).flockSync;

export const LOCK_FILE = 'LOCK';

/** Process start time, for telling a live holder from a recycled pid in reports. */
const processStart = new Date(Date.now() - process.uptime() * 1000).toISOString();

export interface LockHolder {
  readonly pid: number;
  readonly started: string;
  readonly writer: string;
  readonly since: string;
}

export class StoreLock {
  private fd: number | undefined;
  private held = false;

  constructor(
    private readonly journalDir: string,
    private readonly writer: string,
  ) {}

  private open(): number {
    // Read-write, not append: the holder note is rewritten at offset 0. Never through a link;
    // a directory in its place is one line (safefs), not a stack trace.
    this.fd ??= openSafe(join(this.journalDir, LOCK_FILE), READ_WRITE_CREATE);
    return this.fd;
  }

  /** One non-blocking attempt; true when the lock is now held by this process. */
  tryAcquire(): boolean {
    if (this.held) throw new Error('StoreLock: already held (mutations of one journal are queued)');
    const fd = this.open();
    try {
      flockSync(fd, 'exnb');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return false;
      throw error;
    }
    this.held = true;
    try {
      const line = `${JSON.stringify({ pid: process.pid, started: processStart, writer: this.writer, since: new Date().toISOString() })}\n`;
      ftruncateSync(fd, 0);
      writeSync(fd, line, 0);
    } catch {
      // The holder note is for reports only; a full disk must not stop the lock from working.
    }
    return true;
  }

  /** Acquires, retrying with a short, growing backoff; fails after `timeoutMs` naming the holder. */
  async acquire(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (this.tryAcquire()) return;
      if (Date.now() > deadline) {
        const holder = readLockHolder(this.journalDir);
        throw new CitadelError(
          'unavailable',
          `the journal lock (${join(this.journalDir, LOCK_FILE)}) is held${holder ? ` by pid ${holder.pid} (${holder.writer}, since ${holder.since})` : ''}; gave up after ${timeoutMs} ms`,
        );
      }
      // The critical section is ~0.5 ms: retry soon, back off under heavy contention, with
      // jitter so waiters do not wake in lockstep.
      const base = attempt < 2 ? 0 : Math.min(8, 1 << Math.min(attempt - 2, 3));
      await new Promise((resolve) => (base === 0 ? setImmediate(resolve) : setTimeout(resolve, base * (0.5 + Math.random()))));
    }
  }

  release(): void {
    if (!this.held || this.fd === undefined) return;
    this.held = false;
    flockSync(this.fd, 'un');
  }

  get isHeld(): boolean {
    return this.held;
  }

  close(): void {
    this.release();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** The last holder noted in the lock file (the current one if the lock is held). */
export function readLockHolder(journalDir: string): LockHolder | undefined {
  try {
    const text = readFileSafe(join(journalDir, LOCK_FILE))?.toString('utf8').trim();
    return text ? (JSON.parse(text) as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether another open file holds the lock right now (tested with a non-blocking shared lock). */
export function isLockHeld(journalDir: string): boolean {
  let fd: number | undefined;
  try {
    fd = openIfPresent(join(journalDir, LOCK_FILE), READ);
  } catch {
    return false; // not a lockable file: doctor reports it separately
  }
  if (fd === undefined) return false;
  try {
    flockSync(fd, 'shnb');
    flockSync(fd, 'un');
    return false;
  } catch {
    return true;
  } finally {
    closeSync(fd);
  }
}
