/**
 * Errors a user or an agent can act on. Every layer throws these for expected failures
 * (not found, invalid input, refused); the CLI prints them as one line (or the JSON error
 * shape of docs/cli.md) with exit code 1, or 2 for usage errors. Anything else is a bug
 * and is reported with its stack.
 */
export type ErrorCode =
  | 'usage'
  | 'not_found'
  | 'invalid'
  | 'conflict'
  | 'refused'
  | 'no_town'
  | 'corrupt'
  | 'io'
  | 'unavailable'
  | 'failed';

export class CitadelError extends Error {
  override readonly name = 'CitadelError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  /** 2 for a usage error, 1 for everything else (docs/cli.md, "Exit codes"). */
  get exitCode(): number {
    return this.code === 'usage' ? 2 : 1;
  }
}

export function isCitadelError(error: unknown): error is CitadelError {
  return error instanceof CitadelError;
}

export const notFound = (what: string, hint?: string): CitadelError =>
  new CitadelError('not_found', hint ? `${what} not found: ${hint}` : `${what} not found`);

export const invalid = (message: string): CitadelError => new CitadelError('invalid', message);

export const usage = (message: string): CitadelError => new CitadelError('usage', message);
