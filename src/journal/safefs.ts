import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import { CitadelError } from '../common/errors.js';

/**
 * File access inside `.citadel/journal/` and the projection directories that never follows a
 * symbolic link. A repository can commit `.citadel/` (by mistake or on purpose), so a link
 * there may point anywhere the user can write: every open adds O_NOFOLLOW and every directory
 * is checked with lstat. Files are made 0600 and directories 0700: the town's state is the
 * user's alone.
 */
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

const { O_RDONLY, O_RDWR, O_WRONLY, O_CREAT, O_APPEND, O_EXCL, O_TRUNC, O_NOFOLLOW, O_DIRECTORY } = constants;
export const READ = O_RDONLY | O_NOFOLLOW;
export const READ_WRITE = O_RDWR | O_NOFOLLOW;
export const READ_WRITE_CREATE = O_RDWR | O_CREAT | O_NOFOLLOW;
export const APPEND_CREATE = O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW;
export const CREATE_NEW = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;
export const REPLACE = O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW;
export const DIRECTORY = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;

export function linkRefused(path: string): CitadelError {
  return new CitadelError('refused', `${path} is a symbolic link: citadel never follows links inside .citadel/; remove it (its target is untouched) and run \`citadel doctor\``, { path });
}

export function notAFile(path: string, what: string): CitadelError {
  return new CitadelError('corrupt', `${path} is ${what}, not a regular file; move it away and run \`citadel doctor --repair\``, { path });
}

/**
 * Opens `path` without following a link. ELOOP (the last component is a link) and EISDIR
 * become one-line errors; ENOENT and the rest are thrown as they are for the caller to judge.
 */
export function openSafe(path: string, flags: number, mode = FILE_MODE): number {
  let fd: number;
  try {
    fd = openSync(path, flags, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw linkRefused(path);
    if (code === 'EISDIR') throw notAFile(path, 'a directory');
    throw error;
  }
  // O_RDONLY opens a directory (or a fifo) without complaint: only regular files are ours.
  if ((flags & (O_RDWR | O_WRONLY)) === 0) {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      closeSync(fd);
      throw notAFile(path, stat.isDirectory() ? 'a directory' : 'a special file');
    }
  }
  return fd;
}

/** Like `openSafe`, but undefined when the file does not exist. */
export function openIfPresent(path: string, flags: number): number | undefined {
  try {
    return openSafe(path, flags);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Reads a whole file without following a link; undefined when it does not exist. */
export function readFileSafe(path: string): Buffer | undefined {
  const fd = openIfPresent(path, READ);
  if (fd === undefined) return undefined;
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, buffer, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** Whether `path` is a directory we may use: false when missing; refuses a link or a file. */
export function isSafeDir(path: string): boolean {
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (!stat) return false;
  if (stat.isSymbolicLink()) throw linkRefused(path);
  if (!stat.isDirectory()) throw new CitadelError('corrupt', `${path} is not a directory; move it away and run \`citadel doctor --repair\``, { path });
  return true;
}

/**
 * Makes sure `path` is a real directory (created 0700 when missing, with missing parents);
 * refuses when it is a link or a file. Only `path` itself is checked, not its parents: the
 * town root is wherever the user put it.
 */
export function ensureDir(path: string): void {
  if (isSafeDir(path)) return;
  if (!isSafeDir(dirname(path))) mkdirSync(dirname(path), { recursive: true, mode: DIR_MODE });
  try {
    mkdirSync(path, { mode: DIR_MODE });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  isSafeDir(path);
}
