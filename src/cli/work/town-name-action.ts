import { renameSync } from 'node:fs';
import { CitadelError } from '../../common/errors.js';
import { entityAddress, isTownName, TOWN_NAME_RULE } from '../../model/address.js';
import { parseConfig } from '../../town/config.js';
import { readRegularFile, writePrivate } from '../../town/private-fs.js';
import type { CliContext } from '../context.js';

/**
 * `citadel town name [NAME]`: prints the town's name (config `name`: the `<town>` of its actors'
 * addresses), or sets it in `.citadel/config.json`, keeping every other key as it is.
 */
export function townNameAction(context: CliContext, name: string | undefined, options: { json?: boolean }): void {
  const town = context.town();
  const file = town.paths.config;
  let current = town.config.name;
  if (name !== undefined) {
    if (!isTownName(name)) throw new CitadelError('invalid', `bad town name ${JSON.stringify(name)}: ${TOWN_NAME_RULE}`);
    let raw: Record<string, unknown> = {};
    try {
      raw = JSON.parse(readRegularFile(file, 'the town config must be a JSON file')) as Record<string, unknown>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const text = `${JSON.stringify({ ...raw, name }, null, 2)}\n`;
    parseConfig(text, file); // the whole file stays valid
    const temp = `${file}.${process.pid}.tmp`;
    writePrivate(temp, text);
    renameSync(temp, file);
    current = name;
  }
  const address = entityAddress(current, town.actor);
  if (options.json) context.json({ name: current, address, config: file });
  else context.out(`${current}  (you are ${address}${name === undefined ? '' : `; written to ${file}`})\n`);
}
