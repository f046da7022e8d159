import { closeSync, existsSync, fdatasyncSync, ftruncateSync, fsyncSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { fsyncDir } from './files.js';
import { APPEND_CREATE, openSafe } from './safefs.js';

/**
 * Appends mutations to the active segment, durably. Used only under the store lock. Keeps the
 * segment open between mutations; a new segment's directory entry is fsynced when it is made.
 */
export class SegmentAppender {
  private open: { segment: string; fd: number } | undefined;

  constructor(
    private readonly dir: string,
    private readonly fsync: boolean,
  ) {}

  /** Creates segment `name` (empty) for the next mutation. Never renames the full one. */
  roll(name: string): void {
    try {
      closeSync(openSafe(join(this.dir, name), APPEND_CREATE));
      if (this.fsync) fsyncDir(this.dir);
    } catch (error) {
      throw ioError(`could not start segment ${name}`, error);
    }
  }

  /**
   * One write of the whole mutation, one fsync. On any failure (ENOSPC, EFBIG, EIO, a short
   * write) the segment is cut back to `offset`, its size before, so no partial record stays,
   * and the mutation fails; if even the cut fails, what is left is an unfinished tail that
   * readers ignore and the next writer sets aside.
   */
  append(segment: string, offset: number, buffer: Buffer): void {
    let fd: number | undefined;
    try {
      fd = this.fd(segment);
      let written = 0;
      while (written < buffer.length) {
        const n = writeSync(fd, buffer, written, buffer.length - written);
        if (n <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
        written += n;
      }
      if (this.fsync) fdatasyncSync(fd);
    } catch (error) {
      try {
        if (fd !== undefined) {
          ftruncateSync(fd, offset);
          fsyncSync(fd);
        }
      } catch {
        // left as an unfinished tail: invisible to readers, set aside by the next writer
      }
      throw ioError('append failed', error);
    }
  }

  private fd(segment: string): number {
    if (this.open?.segment !== segment) {
      this.close();
      const path = join(this.dir, segment);
      const created = !existsSync(path);
      const fd = openSafe(path, APPEND_CREATE);
      if (created && this.fsync) fsyncDir(this.dir);
      this.open = { segment, fd };
    }
    return this.open.fd;
  }

  close(): void {
    if (this.open) closeSync(this.open.fd);
    this.open = undefined;
  }
}

function ioError(what: string, error: unknown): CitadelError {
  if (error instanceof CitadelError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return new CitadelError('io', `journal ${what} (${code}: ${(error as Error).message}); the mutation was not applied`, { code });
}
