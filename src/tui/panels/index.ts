/**
 * The workstation's panels (issue 7): board, refinery lane, inbox, activity feed, status bar,
 * help, forms. The shell loads this module (src/tui/shell/panel-slot.ts, `PanelsModule`): it
 * mounts `Panels` and `StatusBar`, asks `initialPanelsWidth` and `chromeTokens`, hands
 * `hiddenPanelAction` the panels' prefix keys while every panel is hidden, and calls `dispose`
 * at the end. Importing it has no side effect: the panels' keys are in the one binding table (keys/bindings.ts).
 */
import type { PaneInfo } from '../../daemon/protocol.js';
import { panelsSession } from '../live/panels-session.js';
import { journalFacts } from '../live/polecat-facts.js';
import { hostFacts, withHostFacts } from '../overview/host-facts.js';
import type { PolecatFacts } from '../overview/overview-entries.js';
import { chromeSgr } from '../theme/sgr.js';

/** The chrome's colors from the town's theme (`--theme` via $CITADEL_THEME, else config `theme`). */
export function chromeTokens(town: { root: string }, env: NodeJS.ProcessEnv): Readonly<Record<string, string>> | undefined {
  // The session opens here even without colors: the workstation asks early to have the town read.
  const session = panelsSession(town.root, env);
  if (env.NO_COLOR) return undefined;
  return chromeSgr(session.theme.theme);
}

export { Panels, hiddenPanelAction, initialPanelsWidth } from './Panels.js';
export { StatusBar } from './ShellStatusBar.js';

/** Closes what the panels hold open (journal watchers), once, after the workstation ends. */
export { closePanelsSessions as dispose } from '../live/panels-session.js';

/**
 * The journal's facts of each polecat for the overview, from the panels' live snapshot; a remote
 * polecat's host and its state by id from the journal (two entity reads per remote polecat).
 */
export function polecatFacts(town: { root: string }, panes: readonly PaneInfo[]): ReadonlyMap<string, PolecatFacts> {
  const session = panelsSession(town.root);
  return withHostFacts(journalFacts(session.feed.getSnapshot(), panes), hostFacts(session.town.journal.read(), panes));
}
