import { join } from 'node:path';

/** Where a town keeps its state, under `<repo>/.citadel/`. One function so nobody hard-codes a path. */
export interface TownPaths {
  /** The repository root (the main working tree). */
  readonly root: string;
  readonly citadel: string;
  readonly config: string;
  readonly journal: string;
  /** Projection root: the journal writes `<projections>/<kind>/<id>.json`, e.g. `.citadel/beads/ct-a3f8.json`. */
  readonly projections: string;
  readonly worktrees: string;
  readonly logs: string;
  readonly molecules: string;
  /** Per-town files that are not truth: layout, daemon pid, token. */
  readonly run: string;
}

export function townPaths(root: string): TownPaths {
  const citadel = join(root, '.citadel');
  return {
    root,
    citadel,
    config: join(citadel, 'config.json'),
    journal: join(citadel, 'journal'),
    projections: citadel,
    worktrees: join(citadel, 'worktrees'),
    logs: join(citadel, 'logs'),
    molecules: join(citadel, 'molecules'),
    run: join(citadel, 'run'),
  };
}
