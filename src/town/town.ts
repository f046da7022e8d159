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

export function openTownAt(root: string, actor: string): Town {
  const paths = townPaths(root);
  guardTown(paths);
  const config = loadConfig(paths.config);
  // $CITADEL_ACTOR may be this town's address of the actor (entity://citadel/<town>/<id>).
  actor = localName(actor, config.name);
  // The CV fold is kept in the query index as records are appended (docs/journal.md, "Folds").
  const journal = openJournal(paths.journal, { writer: actor, projections: paths.projections, folds: [CV_FOLD] });
  return { paths, config, journal, actor, close: () => journal.close() };
}
