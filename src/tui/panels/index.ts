/**
 * The workstation's panels (issue 7): board, refinery lane, inbox, activity feed, status bar,
 * help, forms. The shell loads this module (src/tui/shell/panel-slot.ts, `PanelsModule`): it
 * mounts `Sidebar` and `StatusBar`, asks `initialSidebarWidth` and `chromeTokens`. Importing
 * it has no side effect: the panels' keys are in the one binding table (keys/bindings.ts).
 */
import { panelsSession } from '../live/panels-session.js';
import { chromeSgr } from '../theme/sgr.js';

/** The chrome's colors from the town's theme (`--theme` via $CITADEL_THEME, else config `theme`). */
export function chromeTokens(town: { root: string }, env: NodeJS.ProcessEnv): Readonly<Record<string, string>> | undefined {
  if (env.NO_COLOR) return undefined;
  return chromeSgr(panelsSession(town.root, env).theme.theme);
}

export { Sidebar, hiddenPanelAction, initialSidebarWidth, sidebarWidthFor } from './Sidebar.js';
export { StatusBar } from './ShellStatusBar.js';

export { ActivityFeed, type ActivityFeedProps } from './ActivityFeed.js';
export { BeadDetails, detailLines, type BeadDetailsProps } from './BeadDetails.js';
export { Board, beadSegments, type BoardProps } from './Board.js';
export { FormDialog, type FormDialogProps } from './FormDialog.js';
export { HelpOverlay, helpLines, type HelpOverlayProps } from './HelpOverlay.js';
export { Inbox, type InboxProps } from './Inbox.js';
export { Line, type LineProps, type Segment } from './Line.js';
export { Panel, innerRows, type PanelProps } from './Panel.js';
export { RefineryLane, type RefineryLaneProps } from './RefineryLane.js';
export { StatusLine, type StatusLineProps } from './StatusLine.js';
export { TriagePanels, type TriagePanelsProps } from './TriagePanels.js';
export { handlePanelKey, handlePrefixKey, handlePrefixAction, keyContext, type KeyOutcome } from './handle-key.js';
export { useTriage, type Triage, type UseTriageOptions } from './use-triage.js';
