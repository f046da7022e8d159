import type { PolecatFacts } from '../overview/overview-entries.js';
import type { ComponentType } from 'react';
import type { PaneInfo } from '../../daemon/protocol.js';
import type { MergedRef } from '../live/branch-diff.js';
import type { PanelActionId } from '../keys/bindings.js';
import type { PanelInbox } from './panel-channel.js';
import type { InputMode, KeyboardTarget } from './workstation-state.js';

/** The town as the panels see it. */
export interface TownRef {
  /** The repository root (the town's directory). */
  readonly root: string;
  /** Its display name (the directory's base name). */
  readonly name: string;
}

/**
 * Props of the panels (board, refinery lane, inbox, activity feed), drawn by Ink in the
 * rectangle on the right of the pane grid. Keys reach the panels already parsed, through
 * `input`, while `hasKeyboard` is true; so do the panels' prefix actions (prefix B, <, >…).
 */
export interface PanelSlotProps {
  readonly width: number;
  readonly height: number;
  /** Whether keys go to the panels now (prefix Tab toggles between the panes and the panels). */
  readonly hasKeyboard: boolean;
  /** Keys (while the panels have the keyboard) and the panels' prefix actions, from the shell. */
  readonly input: PanelInbox;
  readonly town: TownRef;
  /** The daemon's panes (one per polecat), with their witness status. */
  readonly panes: readonly PaneInfo[];
  /** The journal's seq from the daemon's notifications; changes whenever the journal moves (0 before the first). */
  readonly journalSeq: number;
  /** Shows a short message on the workstation's message line. */
  notify(text: string, kind?: 'info' | 'error'): void;
  /** Resizes the panels column (0 hides it); the pane grid re-lays out around it. */
  setPanelsWidth(width: number): void;
  /** Moves the keyboard back to the panes, focusing `pane` when given (e.g. after a sling). */
  focusPane(pane?: string): void;
  /** Shows what `branch` (polecat `polecat`'s) changed against main, in the shell's diff view. */
  showDiff?(polecat: string, branch: string, merged?: MergedRef): void;
}

/** Props of the status bar: one row at the bottom of Ink's tree. */
export interface StatusBarProps {
  readonly width: number;
  readonly town: TownRef;
  readonly panes: readonly PaneInfo[];
  readonly journalSeq: number;
  readonly mode: InputMode;
  readonly keyboard: KeyboardTarget;
  /** The prefix key in tmux notation, e.g. "C-b". */
  readonly prefixKey: string;
}

/**
 * What `src/tui/panels/index.ts` exports for the shell. Every member is optional: whatever is
 * missing gets the shell's placeholder.
 */
export interface PanelsModule {
  Panels?: ComponentType<PanelSlotProps>;
  StatusBar?: ComponentType<StatusBarProps>;
  /**
   * A prefix action of the panels while they are not mounted (every panel hidden): e.g. prefix
   * B shows the board again. Returns the panels' width after it, or undefined when the action
   * is not one the hidden panels take.
   */
  hiddenPanelAction?: (town: TownRef, action: PanelActionId, cols: number) => number | undefined;
  /** The panels' width to start with (e.g. remembered per town); default: 30% of the screen. */
  initialPanelsWidth?: (town: TownRef, cols: number) => number;
  /**
   * Theme tokens resolved to SGR sequences for the shell's chrome (see chrome/palette.ts for the
   * tokens it reads), e.g. from the town's theme.
   */
  chromeTokens?: (town: TownRef, env: NodeJS.ProcessEnv) => Readonly<Record<string, string>> | undefined;
  /**
   * Releases what the panels hold open (journal watchers, the town), called once when the
   * workstation ends, after the terminal is restored. Anything left open would keep the process
   * alive after a detach.
   */
  dispose?: () => Promise<void>;
  /** The journal's facts of each polecat for the overview (merge request state, molecule step). */
  polecatFacts?: (town: TownRef, panes: readonly PaneInfo[]) => ReadonlyMap<string, PolecatFacts>;
}

/** Loads the panels module if it exists (it is built in parallel); undefined otherwise. */
export async function loadPanels(): Promise<PanelsModule | undefined> {
  // A variable specifier: the module may not exist yet, and the shell must run without it.
  const specifier = '../panels/index.js';
  try {
    return (await import(specifier)) as PanelsModule;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes('panels')) return undefined;
    throw error;
  }
}
