import { randomBytes } from 'node:crypto';
import { CitadelError } from '../common/errors.js';

/**
 * Names federation takes from outside — town ids (from ref names on a remote) and git remote
 * names (from the command line) — are checked here before they reach a ref or an argv.
 */

/** A town id: 12 lowercase base-36 characters, random per clone. */
export const TOWN_ID = /^[a-z0-9]{12}$/;

export function isTownId(value: unknown): value is string {
  return typeof value === 'string' && TOWN_ID.test(value);
}

/** A fresh random town id. */
export function newTownId(): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
  let id = '';
  // 36 does not divide 256: reject the top bytes so every character is equally likely.
  while (id.length < 12) for (const byte of randomBytes(16)) if (byte < 252 && id.length < 12) id += alphabet[byte % 36];
  return id;
}

/** The id tag a town puts first in the fresh ids it draws once federated (docs/federation.md). */
export function townTag(townId: string): string {
  return townId.slice(0, 3);
}

/** A git remote name citadel passes to git: letters, digits, `.`, `_`, `-`; never an option. */
const REMOTE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function checkRemoteName(name: string): string {
  if (!REMOTE.test(name) || name.includes('..') || name.endsWith('.lock')) {
    throw new CitadelError('invalid', `bad remote name ${JSON.stringify(name)}: give the name of a git remote (\`git remote -v\` lists them), e.g. origin`);
  }
  return name;
}

/** The ref a town's exported journal lives on, here and on every remote. */
export const townRef = (townId: string): string => `refs/citadel/towns/${townId}`;

/** Where a fetch from `remote` puts the towns' refs locally. */
export const remoteTownsPrefix = (remote: string): string => `refs/citadel/remotes/${remote}/`;
