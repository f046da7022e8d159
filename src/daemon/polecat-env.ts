import { dirname, delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's `bin/` (holding `citadel`), from this module's place in dist/ or src/. */
export const citadelBinDir = fileURLToPath(new URL('../../bin', import.meta.url));

/**
 * The environment a polecat runs in (docs/daemon.md): the daemon's own, plus who and where it
 * is, and a PATH on which `citadel` (and the node that runs it) is found first.
 */
export function polecatEnv(base: NodeJS.ProcessEnv, polecat: { town: string; name: string; bead: string | null }): NodeJS.ProcessEnv {
  const path = [citadelBinDir, dirname(process.execPath), base.PATH ?? ''].filter(Boolean).join(delimiter);
  return {
    ...base,
    CITADEL_TOWN: polecat.town,
    CITADEL_POLECAT: polecat.name,
    CITADEL_BEAD: polecat.bead ?? '',
    CITADEL_ACTOR: polecat.name,
    PATH: path,
    // A polecat's output is read through a terminal that supports color.
    NO_COLOR: undefined,
    FORCE_COLOR: undefined,
    COLORTERM: 'truecolor',
  };
}
