import { CitadelError } from '../common/errors.js';

/**
 * Bead ids: `<prefix>-<base36>` (ct-a3f8), random so that ids made in parallel never need
 * coordination beyond the check under the journal lock, and short enough to type. The random
 * part starts at 4 characters and grows with the town so that a fresh draw rarely collides:
 * length L is used while the town holds fewer than 36^L / 100 beads (4 chars up to ~16.8k
 * beads, 5 up to ~605k, 6 beyond), i.e. a draw collides with probability below 1% and is
 * simply drawn again.
 */

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
const MIN_LENGTH = 4;
const MAX_LENGTH = 12;
/** Draws per length before the generator moves to a longer id. */
const DRAWS_PER_LENGTH = 8;

/**
 * Any id citadel accepts: its own (`ct-a3f8`, `ct-a3f8.2`) and imported ones (`bd-98c4e1fa.1`,
 * `hq-cv-d46qe`). THE id grammar: every path that takes a bead id (create, import, dep, mail,
 * sling, the refinery's logs) checks it with {@link isBeadId}, so an id that gets in can always
 * be slung — it becomes the last part of the branch `polecat/<name>/<id>`, hence git's rules:
 * no "..", no ".lock" at the end.
 */
const ID_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,98}[A-Za-z0-9])?$/;

/** The grammar in words, for error messages. */
export const BEAD_ID_GRAMMAR =
  'an id is 1–100 letters, digits, ".", "_" or "-", starting and ending with a letter or digit, with no ".." and not ending in ".lock" (it names a git branch), e.g. ct-a3f8';

/** True when `id` is a well-formed bead id (it may still not exist). */
export function isBeadId(id: string): boolean {
  return ID_PATTERN.test(id) && !id.includes('..') && !id.toLowerCase().endsWith('.lock');
}

/** The length of the random part for a town holding `count` beads. */
export function idLengthFor(count: number): number {
  let length = MIN_LENGTH;
  while (length < MAX_LENGTH && count >= 36 ** length / 100) length++;
  return length;
}

/**
 * Where a federated town keeps its id tag (docs/federation.md): the journal entity
 * `fed/self`, field `tag` (3 base-36 characters of the town id). Once a town has synced, every
 * fresh id starts with it (`ct-k3xa3f8`), so two towns creating beads at once never draw the
 * same id. Before the first sync there is no such entity and ids are as they always were.
 */
export const TOWN_TAG_KIND = 'fed';
export const TOWN_TAG_ID = 'self';

/** The id tag of a federated town (read from `fed/self`), or '' before the first sync. */
export function townTagOf(entity: { readonly [key: string]: unknown } | undefined): string {
  const tag = entity?.tag;
  return typeof tag === 'string' && /^[a-z0-9]{1,6}$/.test(tag) ? tag : '';
}

/**
 * A fresh id not yet `taken`, for a town of `count` beads. Called inside a mutator, under the
 * journal lock, so the check against `taken` makes it unique even when many processes create
 * beads at once. `townTag` (a federated town's tag) goes first in the random part.
 */
export function generateBeadId(prefix: string, count: number, taken: (id: string) => boolean, random: () => number, townTag = ''): string {
  for (let length = idLengthFor(count); length <= MAX_LENGTH; length++) {
    for (let draw = 0; draw < DRAWS_PER_LENGTH; draw++) {
      let suffix = townTag;
      for (let i = 0; i < length; i++) suffix += ALPHABET[Math.floor(random() * 36) % 36];
      const id = `${prefix}-${suffix}`;
      if (!taken(id)) return id;
    }
  }
  throw new CitadelError('failed', `could not draw a free bead id with prefix "${prefix}" (is the random source broken?)`);
}

/** The id of step `n` (1-based) of a molecule instance: `<epic id>.<n>`, e.g. ct-a3f8.2. */
export function stepId(epicId: string, n: number): string {
  if (!Number.isInteger(n) || n < 1) throw new CitadelError('invalid', `a step number must be a positive integer (got ${n})`);
  return `${epicId}.${n}`;
}

/**
 * The spellings of a typed id to try, in order: as typed, in lower case, and with the town's
 * prefix added when it has none (`a3f8` → `ct-a3f8`), so ids stay easy to type.
 */
export function idCandidates(id: string, prefix?: string): string[] {
  const candidates = [id];
  const lower = id.toLowerCase();
  if (lower !== id) candidates.push(lower);
  if (prefix && !lower.includes('-')) candidates.push(`${prefix}-${lower}`);
  return candidates;
}
