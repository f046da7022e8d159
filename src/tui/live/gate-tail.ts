import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * The last `lines` lines of a log file, reading at most its last 16 KiB (a gate log can be
 * large; the lane shows a tail). Empty when the file does not exist.
 */
export function tailLines(file: string, lines: number): string[] {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 16 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    // Strip terminal escapes and carriage-return rewrites: the lane shows plain text.
    const text = buffer.toString('utf8').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r(?!\n)/g, '\n');
    const all = text.split(/\r?\n/);
    if (all.at(-1) === '') all.pop();
    if (size > length) all.shift(); // the first line is probably cut
    return all.slice(-lines);
  } finally {
    closeSync(fd);
  }
}
