import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CitadelError, usage } from '../../common/errors.js';

/** Reads FILE (relative to `cwd`), or standard input for "-"; a missing file is one clear line. */
export function readInput(file: string, cwd: string, what: string): string {
  try {
    return file === '-' ? readFileSync(0, 'utf8') : readFileSync(resolve(cwd, file), 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new CitadelError('invalid', `cannot read ${what} ${file === '-' ? 'from standard input' : resolve(cwd, file)}: ${reason}`);
  }
}

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
