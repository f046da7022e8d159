import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { ensurePrivateDir, lstatOrNone, readRegularFile, writePrivate } from '../town/private-fs.js';
import { isTownId, newTownId } from './ids.js';

/**
 * This clone's town id. Two clones of one repository share the committed
 * `.citadel/config.json`, so the id cannot live there: it is in `.citadel/federation/town.json`,
 * which `citadel init`'s `.git/info/exclude` keeps out of git (everything under `.citadel/`
 * but the config and molecules is). The folder is 0700, the file 0600, and neither is ever
 * read or written through a symbolic link.
 */

export const federationDir = (citadelDir: string): string => join(citadelDir, 'federation');

/** The town id, made on first use (`create`), or undefined when there is none yet. */
export function readTownId(citadelDir: string, create: boolean): string | undefined {
  const dir = federationDir(citadelDir);
  const file = join(dir, 'town.json');
  ensurePrivateDir(dir);
  if (lstatOrNone(file)) {
    const text = readRegularFile(file, 'it holds this town\'s federation id');
    let id: unknown;
    try {
      id = (JSON.parse(text) as { id?: unknown }).id;
    } catch {
      id = undefined;
    }
    if (!isTownId(id)) {
      throw new CitadelError('corrupt', `${file}:1: not a town id file (expected {"id": "<12 letters or digits>"}); move it away and run \`citadel sync\` again to make a new one`);
    }
    return id;
  }
  if (!create) return undefined;
  return writeTownId(citadelDir, newTownId());
}

/** Writes the town id file (temp file + rename: a link at its name is replaced, never written through). */
export function writeTownId(citadelDir: string, id: string): string {
  const dir = federationDir(citadelDir);
  ensurePrivateDir(dir);
  const file = join(dir, 'town.json');
  const temp = `${file}.${process.pid}.tmp`;
  writePrivate(temp, `${JSON.stringify({ id })}\n`);
  renameSync(temp, file);
  return id;
}
