import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { linkRefused, lstatOrNone, refuseLink, tighten } from './private-fs.js';
import type { TownPaths } from './paths.js';

/**
 * The town's boundary, checked each time a town is opened (a handful of lstat calls): no
 * symbolic link where citadel reads or writes its own files, and the folders only this user
 * can read. A repository is committed text; a fresh clone can bring `.citadel/run` as a link
 * to anywhere, or `.citadel/` itself world-readable. The journal (`journal/`, the projection
 * folders) guards its own files (src/journal).
 */
export function guardTown(paths: TownPaths): void {
  const citadel = refuseLink(paths.citadel);
  if (citadel?.isDirectory()) tighten(paths.citadel, citadel, 0o700);
  for (const path of [paths.config, paths.worktrees, paths.molecules]) refuseLink(path);
  for (const dir of [paths.run, paths.logs]) {
    const stats = refuseLink(dir);
    if (stats?.isDirectory()) tighten(dir, stats, 0o700);
  }
  // run/ holds the daemon's and the refinery's runtime files (token, pid, locks, layout):
  // few of them, so each is checked here rather than at every place that opens one.
  for (const name of safeList(paths.run)) {
    const path = join(paths.run, name);
    const stats = lstatOrNone(path);
    if (stats?.isSymbolicLink()) throw linkRefused(path);
    if (stats?.isFile()) tighten(path, stats, 0o600);
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
