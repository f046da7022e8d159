import { dirname, join, resolve } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { linkRefused, lstatOrNone } from './private-fs.js';

/**
 * Finds the town a command acts on (docs/cli.md, "Town"): `--town DIR`, else `$CITADEL_TOWN`
 * (a polecat's worktree lives inside the town but is its own checkout), else the nearest
 * directory holding `.citadel/` from `cwd` upward.
 */
export function locateTown(options: { cwd: string; explicit?: string | undefined; env: NodeJS.ProcessEnv }): string {
  const chosen = options.explicit ?? options.env.CITADEL_TOWN;
  if (chosen) {
    const root = resolve(options.cwd, chosen);
    if (!isTown(root)) {
      throw new CitadelError('no_town', `${root} is not a citadel town (no .citadel/ there): run \`citadel init\` in it first`);
    }
    return root;
  }
  let dir = resolve(options.cwd);
  for (;;) {
    if (isTown(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new CitadelError(
    'no_town',
    `no citadel town here (no .citadel/ in ${resolve(options.cwd)} or above): run \`citadel init\` in your git repository, or pass --town DIR`,
  );
}

/** A folder with `.citadel/` in it; a `.citadel` that is a symbolic link is refused, never followed. */
function isTown(dir: string): boolean {
  const marker = join(dir, '.citadel');
  const stats = lstatOrNone(marker);
  if (stats?.isSymbolicLink()) throw linkRefused(marker);
  return stats?.isDirectory() === true;
}
