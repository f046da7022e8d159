import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * A module-loader hook that appends the URL of every module a process loads to `dir/modules.log`:
 * start the process with `NODE_OPTIONS=--import=<register>`. With `onlyBare`, the hook is
 * registered only in a process started without arguments (the workstation, not the daemon it
 * starts). Tests read which modules ran, never how long they took.
 */
export function moduleLogHook(dir: string, { onlyBare = false } = {}): { log: string; register: string } {
  const log = join(dir, 'modules.log');
  writeFileSync(
    join(dir, 'hook.mjs'),
    `import { appendFileSync } from 'node:fs';\n` +
      `export async function load(url, context, next) {\n` +
      `  appendFileSync(${JSON.stringify(log)}, url + '\\n');\n` +
      `  return next(url, context);\n` +
      `}\n`,
  );
  const hook = JSON.stringify(pathToFileURL(join(dir, 'hook.mjs')).href);
  writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\n${onlyBare ? 'if (process.argv.length === 2) ' : ''}register(${hook});\n`);
  return { log, register: pathToFileURL(join(dir, 'register.mjs')).href };
}
