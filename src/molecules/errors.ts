import { CitadelError } from '../common/errors.js';
import { visibleLine } from '../common/visible-text.js';
import type { Location } from './types.js';

/**
 * A malformed molecule: the message starts with `file:line:` so editors and people can jump
 * to it. One error at a time (the first in file order), as one line — made so here, since the
 * message quotes the file, which may hold any character (control characters made visible).
 */
export function moleculeError(at: Location, message: string): CitadelError {
  return new CitadelError('invalid', visibleLine(`${at.file}:${at.line}: ${message}`), { file: at.file, line: at.line });
}

/** `a, b and c` for messages. */
export function listWords(words: readonly string[], quote = true): string {
  const shown = quote ? words.map((w) => `"${w}"`) : [...words];
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
}
