import { mkdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The citadel entry point (bin/citadel.js), from this module's place in dist/ or src/. */
export const citadelEntry = fileURLToPath(new URL('../../bin/citadel.js', import.meta.url));

/** The town's folder holding a `citadel` command for its polecats (`.citadel/run/bin`). */
export const shimDir = (town: string): string => join(town, '.citadel', 'run', 'bin');

/**
 * Makes `<town>/.citadel/run/bin/citadel` a link to this citadel's entry point, so a polecat
 * runs the same citadel as its daemon whether or not one is installed on the PATH.
 */
export function ensureCitadelShim(town: string): void {
  const dir = shimDir(town);
  const link = join(dir, 'citadel');
  try {
    if (readlinkSync(link) === citadelEntry) return;
    rmSync(link, { force: true });
  } catch {
    mkdirSync(dir, { recursive: true });
  }
  symlinkSync(citadelEntry, link);
}

/**
 * The environment a polecat runs in (docs/daemon.md): the daemon's own, plus who and where it
 * is, and a PATH on which `citadel` (and the node that runs it) is found first.
 */
export function polecatEnv(base: NodeJS.ProcessEnv, polecat: { town: string; name: string; bead: string | null }): NodeJS.ProcessEnv {
  const path = [shimDir(polecat.town), dirname(process.execPath), base.PATH ?? ''].filter(Boolean).join(delimiter);
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
