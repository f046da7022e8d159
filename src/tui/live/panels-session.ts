import { appendFileSync, mkdirSync } from 'node:fs';
import { basename } from 'node:path';
import { resolveActor } from '../../common/actor.js';
import { firstInstalledAgent, presetChoices } from '../../agent-cli/presets.js';
import { composeMolecule } from '../../molecules/compose.js';
import { openMoleculeLibrary } from '../../town/molecules.js';
import { openTownAt, type Town } from '../../town/town.js';
import { noFilter } from '../state/board-filter.js';
import { groupBoard, type BoardLayout } from '../state/board-groups.js';
import type { LayoutState } from '../state/layout-reducer.js';
import { townCounts, type TownCounts } from '../state/town-counts.js';
import type { CommandRunner } from '../state/triage-command.js';
import type { MoleculeChoice, TownSnapshot } from '../state/types.js';
import { loadTheme, type LoadedTheme } from '../theme/load-theme.js';
import { join } from 'node:path';
import { readLayout, writeLayout } from './layout-store.js';
import { commandRunner } from './run-command.js';
import { createTownFeed, type TownFeed } from './town-feed.js';

/**
 * Everything the panels of one town share in the workstation process: the open town, its live
 * feed, the command runner, the theme, and the remembered layout. One per town root, opened on
 * first use by whichever of the panels and the status bar renders first.
 */
export interface PanelsSession {
  readonly town: Town;
  readonly name: string;
  readonly feed: TownFeed;
  readonly run: CommandRunner;
  readonly theme: LoadedTheme;
  /** The layout as last saved (the panels start from it). */
  layout: LayoutState;
  /** The terminal's width, as last told by the shell (for the panels' width in columns). */
  cols: number;
  saveLayout(layout: LayoutState): void;
  /** Status-bar counts of the current snapshot (memoized on it). */
  counts(snapshot: TownSnapshot): TownCounts;
  close(): Promise<void>;
}

const sessions = new Map<string, PanelsSession>();

/** Appends a line to `.citadel/run/panels.log` (the TUI owns the screen: no stderr there). */
export function logProblem(town: Town, line: string): void {
  try {
    mkdirSync(town.paths.run, { recursive: true });
    appendFileSync(join(town.paths.run, 'panels.log'), `${new Date().toISOString()} ${line}\n`);
  } catch {
    // nowhere left to report it
  }
}

/** The molecules the pour form offers, with their variables; a molecule that fails to compose is left out. */
function moleculeChoices(town: Town): { choices: MoleculeChoice[]; library: ReturnType<typeof openMoleculeLibrary> } {
  const library = openMoleculeLibrary({ townDir: town.paths.molecules, cwd: town.paths.root });
  const choices: MoleculeChoice[] = [];
  for (const name of library.names()) {
    try {
      const composed = composeMolecule(name, library);
      choices.push({ name, title: composed.title.text, vars: composed.vars.map((v) => ({ name: v.name, required: v.required, description: v.description })) });
    } catch {
      // a broken molecule is reported by `citadel molecule show`; the form just does not offer it
    }
  }
  return { choices, library };
}

/** The theme name: `$CITADEL_THEME` (what `--theme` sets), else the town config's `theme`. */
export function themeName(town: Town, env: NodeJS.ProcessEnv): string {
  return env.CITADEL_THEME?.trim() || town.config.theme;
}

/** Opens (once) the panels' session for the town at `root`. */
export function panelsSession(root: string, env: NodeJS.ProcessEnv = process.env): PanelsSession {
  const existing = sessions.get(root);
  if (existing) return existing;
  const town = openTownAt(root, resolveActor(env));
  const name = basename(root);
  const { choices, library } = moleculeChoices(town);
  const presetNames = presetChoices(town.config.defaultAgent ?? firstInstalledAgent(env));
  const feed = createTownFeed({
    town,
    name,
    presets: presetNames,
    molecules: choices,
    // The panels keep their last snapshot on a failed read; the reason goes to the run log.
    onError: (error) => logProblem(town, `refresh failed: ${error.stack ?? error.message}`),
  });
  const theme = loadTheme({ name: themeName(town, env), env, cwd: root, searchDirs: [join(town.paths.citadel, 'themes')] });
  // Shown on the message line by the panels, and kept here for when it has scrolled away.
  for (const problem of theme.problems) logProblem(town, `theme: ${problem}`);
  let countsFor: { beads: TownSnapshot['beads']; board: BoardLayout; snapshot: TownSnapshot; counts: TownCounts } | undefined;
  const session: PanelsSession = {
    town,
    name,
    feed,
    run: commandRunner({ town, molecules: library }),
    theme,
    layout: readLayout(town.paths.run),
    cols: 0,
    saveLayout(layout) {
      session.layout = layout;
      try {
        writeLayout(town.paths.run, layout);
      } catch {
        // remembering the layout is a convenience: a read-only town still works
      }
    },
    counts(snapshot) {
      if (countsFor?.snapshot === snapshot) return countsFor.counts;
      // Regroup only when the beads changed (mail, the lane or polecats alone do not touch the board).
      const board = countsFor?.beads === snapshot.beads ? countsFor.board : groupBoard(snapshot.beads, noFilter, snapshot.index?.board);
      const counts = townCounts(snapshot, board);
      countsFor = { beads: snapshot.beads, board, snapshot, counts };
      return counts;
    },
    async close() {
      sessions.delete(root);
      await feed.close();
      town.close();
    },
  };
  sessions.set(root, session);
  return session;
}

/** Closes every open session (the workstation's exit, tests). */
export async function closePanelsSessions(): Promise<void> {
  await Promise.all([...sessions.values()].map((s) => s.close()));
}
