import { closeSync, fsyncSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';

/** fsyncs a directory, so a rename or a new file in it survives a power cut. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `file` atomically: a temp file beside it, optionally fsynced, then renamed over it. */
export function writeFileAtomic(file: string, data: string | Buffer, options: { fsync: boolean }): void {
  const temp = `${file}.${process.pid}.tmp`;
  if (options.fsync) {
    const fd = openSync(temp, 'w');
    try {
      const buffer = typeof data === 'string' ? Buffer.from(data) : data;
      let written = 0;
      while (written < buffer.length) written += writeSync(fd, buffer, written, buffer.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } else {
    writeFileSync(temp, data);
  }
  renameSync(temp, file);
}
