import { resolveActor } from '../common/actor.js';
import { localName } from '../model/address.js';
import { openJournal, type Journal } from '../journal/index.js';
import { CV_FOLD } from '../model/cv.js';
import { guardTown } from './boundary.js';
import { loadConfig, type TownConfig } from './config.js';
import { locateTown } from './locate.js';
import { townPaths, type TownPaths } from './paths.js';

/** An open town: where it is, its config, and its journal, for one actor. */
export interface Town {
  readonly paths: TownPaths;
  readonly config: TownConfig;
  readonly journal: Journal;
  readonly actor: string;
  close(): void;
}

export interface OpenTownOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** `--town DIR`, when given. */
  explicit?: string | undefined;
}

export function openTown(options: OpenTownOptions): Town {
  const root = locateTown(options);
  return openTownAt(root, resolveActor(options.env));
}

/**
 * The kinds written as projection files (`.citadel/<kind>/<id>.json`): those read as files (the
 * workstation reads lost polecats from theirs). Beads, mail and the rest are read through the
 * journal's query index (issue 18: a file per bead was ~4 KiB of disk each).
 */
export const PROJECTED_KINDS: readonly string[] = ['polecats'];

/**
 * The kinds this process projects: {@link PROJECTED_KINDS}, plus those named in
 * `$CITADEL_PROJECT_KINDS` (comma-separated, e.g. `beads` for diffable bead files; `all` for
 * every kind, as before issue 18). Undefined means every kind.
 */
export function projectedKinds(env: NodeJS.ProcessEnv = process.env): readonly string[] | undefined {
  const extra = (env.CITADEL_PROJECT_KINDS ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  if (extra.includes('all')) return undefined;
  return [...new Set([...PROJECTED_KINDS, ...extra])];
}

const kindsOption = (): { projectKinds?: readonly string[] } => {
  const kinds = projectedKinds();
  return kinds ? { projectKinds: kinds } : {};
};

export function openTownAt(root: string, actor: string): Town {
  const paths = townPaths(root);
  guardTown(paths);
  const config = loadConfig(paths.config);
  // $CITADEL_ACTOR may be this town's address of the actor (entity://citadel/<town>/<id>).
  actor = localName(actor, config.name);
  // The CV fold is kept in the query index as records are appended (docs/journal.md, "Folds");
  // projection files only for what is read as files (docs/journal.md, "On disk").
  const journal = openJournal(paths.journal, { writer: actor, projections: paths.projections, ...kindsOption(), folds: [CV_FOLD] });
  return { paths, config, journal, actor, close: () => journal.close() };
}
