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

/*
 * Entity addresses (docs/model.md, "Addresses"): every actor — the overseer, a polecat, an
 * agent, the refinery, a mayor — is `entity://citadel/<town>/<id>`, the town's name coming from
 * config.json (`name`, default the repository folder's name). Inside the town the bare name is
 * the id and stays what the journal stores; the address is how an actor is named outside it
 * (a CV, a validation record) and is accepted as input wherever a name is.
 */

/** The platform part of every citadel address. */
export const ENTITY_PLATFORM = 'citadel';
const SCHEME = 'entity://';

/** A town's name: lowercase letters, digits, '-', '_', 1–64, starting with a letter or digit. */
export const TOWN_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
export const TOWN_NAME_RULE = "1–64 lowercase letters, digits, '-' or '_', starting with a letter or digit";

export function isTownName(value: unknown): value is string {
  return typeof value === 'string' && TOWN_NAME.test(value);
}

/**
 * A town name made from a folder's name (the default when config.json has none): lower case,
 * any run of other characters made one '-', trimmed to 64; `town` when nothing is left.
 */
export function townNameFrom(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+/, '')
    .slice(0, 64)
    .replace(/[-_]+$/, '');
  return isTownName(name) ? name : 'town';
}

/** `entity://citadel/<town>/<id>`: the address of actor `id` in town `town`. */
export function entityAddress(town: string, id: string): string {
  return `${SCHEME}${ENTITY_PLATFORM}/${town}/${id}`;
}

/** The parts of an `entity://platform/town/id` address, or null when `text` is not one. */
export function parseEntityAddress(text: string): { platform: string; town: string; id: string } | null {
  if (!text.startsWith(SCHEME)) return null;
  const [platform, town, ...rest] = text.slice(SCHEME.length).split('/');
  const id = rest.join('/');
  if (!platform || !town || !id) return null;
  return { platform, town, id };
}

/** Whether `text` looks like an entity address (so it is resolved, not taken as a name). */
export const isEntityAddress = (text: unknown): text is string => typeof text === 'string' && text.trim().toLowerCase().startsWith(SCHEME);

/**
 * The bare name an input stands for in town `town`: a name is returned as it is; an address of
 * this town gives its id; a malformed address, another platform's or another town's is a
 * one-line error (only this town's actors can be named, for now).
 */
export function localName(value: string, town: string): string {
  const text = value.trim();
  if (!isEntityAddress(text)) return value;
  const parts = parseEntityAddress(`${SCHEME}${text.slice(SCHEME.length)}`);
  if (!parts) throw new CitadelError('invalid', `bad address ${JSON.stringify(value)}: an address is ${SCHEME}${ENTITY_PLATFORM}/<town>/<name>`);
  if (parts.platform !== ENTITY_PLATFORM) {
    throw new CitadelError('invalid', `${text} is an address on platform "${parts.platform}": this town only knows ${SCHEME}${ENTITY_PLATFORM}/${town}/<name>`);
  }
  if (parts.town !== town) {
    throw new CitadelError('invalid', `${text} is an actor of town "${parts.town}", not of this town ("${town}"): only this town's actors can be named for now`);
  }
  return parts.id;
}

/** `localName` for an optional input (undefined stays undefined). */
export function localNameOf<T extends string | undefined>(value: T, town: string): T {
  return (value === undefined ? value : localName(value, town)) as T;
}

/** The address of an actor or mail address: `@all` (everyone) has none and is returned as it is. */
export function addressOf(town: string, name: string): string {
  return name === EVERYONE ? name : entityAddress(town, name);
}
