import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { CitadelError, usage } from '../../common/errors.js';

/**
 * The most read from one FILE: far above every field's limit (so a too-big body is still named
 * with its size), far below what fills memory — `--body-file /dev/zero` used to read 8 GB.
 */
export const MAX_INPUT_BYTES = 256 * 2 ** 20;

/** Reads FILE (relative to `cwd`), or standard input for "-"; a missing file is one clear line. */
export function readInput(file: string, cwd: string, what: string): string {
  const path = resolve(cwd, file);
  try {
    return file === '-' ? readBounded(0, 'standard input') : readPath(path);
  } catch (error) {
    if (error instanceof CitadelError) throw error;
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new CitadelError('invalid', `cannot read ${what} ${file === '-' ? 'from standard input' : path}: ${reason}`);
  }

  function readPath(at: string): string {
    const fd = openSync(at, 'r');
    try {
      return readBounded(fd, at);
    } finally {
      closeSync(fd);
    }
  }

  /** The text of `fd`, refused past MAX_INPUT_BYTES — also a device or pipe that never ends (`yes | citadel … -`). */
  function readBounded(fd: number, at: string): string {
    const tooBig = (): CitadelError => new CitadelError('invalid', `${what} from ${at} is over ${MAX_INPUT_BYTES / 2 ** 20} MiB: citadel reads at most that much`);
    const stat = fstatSync(fd);
    if (stat.isFile()) {
      if (stat.size > MAX_INPUT_BYTES) throw tooBig();
      return readFileSync(fd, 'utf8');
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.alloc(2 ** 20);
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        // Standard input may be a non-blocking pipe: wait a moment for the writer, then read on.
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        Atomics.wait(pause, 0, 0, 10);
        continue;
      }
      if (n === 0) break;
      total += n;
      if (total > MAX_INPUT_BYTES) throw tooBig();
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** The body from `--body TEXT` or `--body-file FILE|-` (not both); undefined when neither is given. */
export function bodyOption(options: { body?: string; bodyFile?: string }, cwd: string): string | undefined {
  if (options.body !== undefined && options.bodyFile !== undefined) throw usage('give --body or --body-file, not both');
  if (options.bodyFile !== undefined) return readInput(options.bodyFile, cwd, 'the body');
  return options.body;
}

/** A positive integer option such as `--limit`. */
export function positiveInt(value: string, flag: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw usage(`${flag} takes a positive whole number (got ${JSON.stringify(value)})`);
  return Number(value);
}

/**
 * The default page of `ready` and `mail inbox` (docs/cli.md, "Pages"): at 100k beads a ready
 * queue holds hundreds of beads and a polecat's inbox thousands of messages, and printing them
 * all is most of what those commands cost. `--limit N` asks for another page size, `--all` for
 * everything.
 */
export const DEFAULT_PAGE = 50;

/** The page size asked for: `--limit N`, `--all` (undefined: no limit), else {@link DEFAULT_PAGE}. */
export function pageSize(options: { limit?: string; all?: boolean }): number | undefined {
  if (options.all && options.limit !== undefined) throw usage('--limit and --all cannot be used together');
  if (options.all) return undefined;
  return options.limit === undefined ? DEFAULT_PAGE : positiveInt(options.limit, '--limit');
}
