import type { PaneInfo } from '../../daemon/protocol.js';
import type { CopyState } from '../copy/copy-state.js';
import type { PanelActionId } from '../keys/bindings.js';
import type { LostPolecat } from '../live/lost-polecats.js';
import type { MergedRef } from '../live/branch-diff.js';
import type { PolecatFacts } from '../overview/overview-entries.js';
import type { OverviewState } from '../overview/overview-state.js';
import type { Key } from '../keys/key-parser.js';
import type { PaneModes } from './pane-input.js';
import { initialWorkstationState, type WorkstationState } from './workstation-state.js';

/** Whether the panels exist: none, still loading (its width kept), or mounted. */
export type PanelsPresence = 'none' | 'loading' | 'ready';

/**
 * Everything the shell knows, in one immutable value (the Bubble Tea "model"): the panes part
 * (focus, zoom, keyboard, mode, sizes: workstation-state.ts) plus copy mode, the panes' key
 * modes and titles, the copy buffer, the journal's seq and the message line. `update` is the
 * only way it changes; the runner (workstation.tsx) only reads it to draw.
 */
export interface ShellState extends WorkstationState {
  /** The prefix key, tmux notation ("C-b"). */
  readonly prefix: string;
  readonly panels: PanelsPresence;
  /** Copy mode's view, while `mode` is copy. */
  readonly copy: CopyState | undefined;
  /** The pane whose scrollback is being fetched to enter copy mode. */
  readonly copyPending: string | undefined;
  /** The last copied text (prefix ] pastes it). */
  readonly copyBuffer: string;
  /** The key modes each pane's program asked for (from the daemon's frames). */
  readonly paneModes: ReadonlyMap<string, PaneModes>;
  /** Titles the panes' programs set (OSC 2), for the title bars. */
  readonly programTitles: ReadonlyMap<string, string>;
  /** The panes' beads' titles, for the title bars. */
  readonly beadTitles: ReadonlyMap<string, string>;
  /** The journal's seq from the daemon (0 before the first notification). */
  readonly journalSeq: number;
  /** The first line of the help overlay shown (it scrolls). */
  readonly helpTop: number;
  /** The overview (prefix w), while `mode` is overview. */
  readonly overview: OverviewState | undefined;
  /** When each pane entered its current status (ms since the epoch, as this client saw it). */
  readonly since: ReadonlyMap<string, number>;
  /** Commits ahead, merge request state and molecule step of each polecat, when fetched. */
  readonly facts: ReadonlyMap<string, PolecatFacts>;
  /** Panes not on the page shown whose screens changed since their page was last shown. */
  readonly activity: ReadonlySet<string>;
  /** Panes not on the page shown whose program rang the bell since their page was last shown (tmux's `!`). */
  readonly bells: ReadonlySet<string>;
  /** Polecats the journal knows whose program is not running and that have no pane (live/lost-polecats.ts). */
  readonly lost: readonly LostPolecat[];
}

/** What happens to the shell. */
export type ShellEvent =
  /** Keys already parsed (keys/key-parser.ts). */
  | { readonly type: 'keys'; readonly keys: readonly Key[] }
  /**
   * The terminal's new size; `panelsWhileLoading` is the panels' width at it while the panels
   * load, `panelsWidth` the panels' width at it once they are there (from their remembered
   * percentage, so the column follows the terminal's size).
   */
  | { readonly type: 'resize'; readonly cols: number; readonly rows: number; readonly panelsWhileLoading?: number | undefined; readonly panelsWidth?: number | undefined }
  /** The daemon's pane list, received at `at` (ms since the epoch: the status clock). */
  | { readonly type: 'panes'; readonly panes: readonly PaneInfo[]; readonly beadTitles?: ReadonlyMap<string, string> | undefined; readonly at?: number | undefined }
  /** What the overview shows besides the panes (live/overview-facts.ts). */
  | { readonly type: 'facts'; readonly facts: ReadonlyMap<string, PolecatFacts> }
  /** The diff of a polecat's branch against main, as lines (prefix D, the overview's C-d). */
  | { readonly type: 'diff'; readonly pane: string; readonly lines: readonly string[] }
  /** Show what `branch` changed against main (the refinery lane's `d` on a merge request). */
  | { readonly type: 'show-diff'; readonly polecat: string; readonly branch: string; readonly merged?: MergedRef | undefined }
  /** A pane not on the page shown drew something. */
  | { readonly type: 'activity'; readonly pane: string }
  /** A pane's program rang the bell (BEL). */
  | { readonly type: 'bell'; readonly pane: string }
  | { readonly type: 'journal'; readonly seq: number; readonly beadTitles?: ReadonlyMap<string, string> | undefined }
  /** The polecats lost or exited without a pane, read from their projections. */
  | { readonly type: 'lost'; readonly lost: readonly LostPolecat[] }
  | { readonly type: 'pane-title'; readonly pane: string; readonly title: string }
  | { readonly type: 'pane-modes'; readonly pane: string; readonly modes: PaneModes }
  /** A pane went away: what the shell kept for it goes. */
  | { readonly type: 'pane-gone'; readonly pane: string }
  /** The panels module arrived (with a column `panelsWidth` wide), or there is none. */
  | { readonly type: 'panels'; readonly present: boolean; readonly panelsWidth: number }
  /** The panels asked for a width (0 hides them). */
  | { readonly type: 'panels-width'; readonly width: number }
  /** The panels gave the keyboard back to the panes, focusing `pane` when given. */
  | { readonly type: 'focus-pane'; readonly pane?: string | undefined }
  | { readonly type: 'notify'; readonly text: string; readonly kind?: 'info' | 'error' | undefined }
  | { readonly type: 'message-expired' }
  /** The scrollback copy mode asked for, with the pane's body size and cursor now. */
  | {
      readonly type: 'scrollback';
      readonly pane: string;
      readonly lines: readonly string[];
      /** Per line: it continues the line before (a wrap, not a newline). */
      readonly wrapped?: readonly boolean[] | undefined;
      readonly cursor?: { x: number; y: number } | undefined;
    }
  | { readonly type: 'scrollback-failed'; readonly pane: string; readonly error: string };

/** What the runner carries out for the shell. */
export type ShellEffect =
  /** Bytes for a pane's program. */
  | { readonly type: 'input'; readonly pane: string; readonly data: string }
  | { readonly type: 'detach' }
  | { readonly type: 'redraw' }
  /** Fetch the pane's scrollback, then send a `scrollback` event. */
  | { readonly type: 'fetch-scrollback'; readonly pane: string }
  /** Put text on the clipboard (OSC 52) and in the copy file, then say so. */
  | { readonly type: 'clipboard'; readonly text: string }
  /** A key for the panels (they have the keyboard). */
  | { readonly type: 'panel-key'; readonly key: Key }
  /** One of the panels' prefix actions. */
  | { readonly type: 'panel-action'; readonly action: PanelActionId; readonly key: string }
  /** The message line changed: clear it after a while. */
  | { readonly type: 'message-timer' }
  /** Polecats turned waiting or stuck: ring the bell once (and notify, when asked to). */
  | { readonly type: 'attention'; readonly panes: readonly string[] }
  /** A pane's program rang the bell: ring the terminal's (as tmux's bell-action any). */
  | { readonly type: 'bell' }
  /** Fetch the overview's facts (commits ahead, merge requests), then send a `facts` event. */
  | { readonly type: 'fetch-facts' }
  /** Run `git diff main...<branch>` for the pane's polecat, then send a `diff` event. */
  | { readonly type: 'fetch-diff'; readonly pane: string; readonly branch: string; readonly merged?: MergedRef | undefined };

export function initialShellState(options: { cols: number; rows: number; prefix: string; panels: PanelsPresence; panelsWidth: number }): ShellState {
  return {
    ...initialWorkstationState(options.cols, options.rows, options.panelsWidth),
    prefix: options.prefix,
    panels: options.panels,
    copy: undefined,
    copyPending: undefined,
    copyBuffer: '',
    paneModes: new Map(),
    programTitles: new Map(),
    beadTitles: new Map(),
    journalSeq: 0,
    helpTop: 0,
    overview: undefined,
    since: new Map(),
    facts: new Map(),
    activity: new Set(),
    bells: new Set(),
    lost: [],
  };
}
