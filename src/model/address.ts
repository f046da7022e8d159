import { CitadelError } from '../common/errors.js';

/** The addresses mail can go to besides a polecat's name (docs/model.md, "Mail"). */
export const SPECIAL_ADDRESSES = ['overseer', 'refinery', '@all'] as const;

/** Everyone: a message to `@all` is in every reader's inbox (except its sender's). */
export const EVERYONE = '@all';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A mail address: `overseer`, `refinery`, `@all`, or a polecat's name. */
export function checkAddress(value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if ((SPECIAL_ADDRESSES as readonly string[]).includes(text) || NAME.test(text)) return text;
  throw new CitadelError(
    'invalid',
    `bad address ${JSON.stringify(value)}: mail goes to overseer, refinery, @all, or a polecat's name (letters, digits, '.', '_', '-')`,
  );
}
