import { CitadelError } from '../../src/common/errors.js';

/** The CitadelError a call throws (fails when it throws something else or nothing). */
export function errorOf(fn: () => unknown): CitadelError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CitadelError) return error;
    throw error;
  }
  throw new Error('expected a CitadelError');
}
