import { chmodSync, closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, writeSync, type Stats } from 'node:fs';
import { CitadelError } from '../common/errors.js';

/**
 * File access inside `.citadel/` that never follows a symbolic link and keeps what it makes
 * private (0700 folders, 0600 files). A repository is someone else's text: a committed
 * `.citadel/run/…` that is a link to `~/.bashrc` must not turn a read-only command into a
 * write there, and mail bodies or gate logs in `run/` and `logs/` are for this user only.
 */

const { O_APPEND, O_CREAT, O_NOFOLLOW, O_RDONLY, O_TRUNC, O_WRONLY } = constants;

/** One line naming the link and how to get rid of it. */
export function linkRefused(path: string): CitadelError {
  return new CitadelError('refused', `${path} is a symbolic link: citadel never follows links inside .citadel/ (a repository could point them anywhere); remove it (\`rm ${path}\`) and run the command again`);
}

/** lstat, or undefined when the path does not exist. */
export function lstatOrNone(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** Refuses a symbolic link at `path` (a missing path is fine). */
export function refuseLink(path: string): Stats | undefined {
  const stats = lstatOrNone(path);
  if (stats?.isSymbolicLink()) throw linkRefused(path);
  return stats;
}

/** Tightens a file or folder we own to `mode` when group or others have any access to it. */
export function tighten(path: string, stats: Stats, mode: number): void {
  if ((stats.mode & 0o077) === 0) return;
  if (typeof process.getuid === 'function' && stats.uid !== process.getuid()) return; // not ours to change
  chmodSync(path, mode);
}

/**
 * A private folder: made 0700 when missing, tightened to 0700 when a clone (or an older
 * citadel) left it readable by others; refused when it is a link or not a folder.
 */
export function ensurePrivateDir(path: string): void {
  const stats = refuseLink(path);
  if (!stats) {
    mkdirSync(path, { recursive: true, mode: 0o700 });
    tighten(path, lstatSync(path), 0o700); // recursive mkdir leaves an existing leaf alone
    return;
  }
  if (!stats.isDirectory()) {
    throw new CitadelError('refused', `${path} is not a folder: citadel keeps its own files there; move it away and run the command again`);
  }
  tighten(path, stats, 0o700);
}

function openNoFollow(path: string, flags: number, mode = 0o600): number {
  try {
    return openSync(path, flags | O_NOFOLLOW, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw linkRefused(path);
    throw error;
  }
}

/** Appends to a private file (created 0600), never through a link. */
export function appendPrivate(path: string, data: string | Uint8Array): void {
  const fd = openNoFollow(path, O_WRONLY | O_APPEND | O_CREAT);
  try {
    writeAll(fd, data);
  } finally {
    closeSync(fd);
  }
}

/** Writes a private file (created 0600, truncated), never through a link. */
export function writePrivate(path: string, data: string | Uint8Array): void {
  const fd = openNoFollow(path, O_WRONLY | O_CREAT | O_TRUNC);
  try {
    writeAll(fd, data);
  } finally {
    closeSync(fd);
  }
}

/** Opens `path` for reading without following a link; refuses anything but a regular file. */
export function readRegularFile(path: string, what: string): string {
  const fd = openNoFollow(path, O_RDONLY);
  try {
    if (!fstatSync(fd).isFile()) {
      throw new CitadelError('invalid', `${path} is not a file: ${what}`);
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}
