import { Box } from 'ink';
import { useEffect, useMemo } from 'react';
import { panelHeights } from '../state/layout-reducer.js';
import { followWindows } from '../state/list-windows.js';
import type { Provenance } from '../../federation/provenance.js';
import type { EventView } from '../state/types.js';
import type { Theme } from '../theme/theme.js';
import { ActivityFeed } from './ActivityFeed.js';
import { BeadDetails } from './BeadDetails.js';
import { Board } from './Board.js';
import { FormDialog } from './FormDialog.js';
import type { Binding } from '../keys/bindings.js';
import { HelpOverlay } from './HelpOverlay.js';
import { Inbox } from './Inbox.js';
import { RefineryLane } from './RefineryLane.js';
import type { PanelsModel } from './use-panels.js';

export interface PanelsColumnProps {
  /** From usePanels(). */
  readonly model: PanelsModel;
  /** The panels column's size (layout-reducer.ts `columnWidth`, and the screen's rows less the status bar). */
  readonly width: number;
  readonly height: number;
  /** Whether the keyboard is on the panels (the focused one gets the bright border and the selection). */
  readonly active: boolean;
  readonly theme: Theme;
  /** A bead's history from the journal, oldest first (for details). */
  readonly history?: ((id: string) => readonly EventView[]) | undefined;
  /** The details of a bead closed: its older history need not be read on (live/town-feed.ts). */
  readonly stopHistory?: ((id: string) => void) | undefined;
  /** The bindings the help lists, in order; the panels' own by default. */
  readonly helpBindings?: readonly Binding[] | undefined;
  readonly prefixKey?: string | undefined;
  /** The town's name (config `name`): details show actors' addresses entity://citadel/<town>/<id>. */
  readonly townName?: string | undefined;
  /** Now, for ages in the inbox. */
  readonly now?: number | undefined;
  /** Where a federated bead came from (its fed-meta entity): read for the bead whose details are open, only. */
  readonly provenance?: ((id: string) => Provenance | undefined) | undefined;
  /** Whether a bead was drawn in another town (its id's tag): the board's marker. */
  readonly elsewhere?: ((id: string) => boolean) | undefined;
}

const noHistory: readonly EventView[] = [];

/**
 * The panels column: board (or a bead's details), refinery lane, inbox, activity feed, stacked
 * by the layout's weights; a form, when open, on top; the help instead of everything while open.
 */
export function PanelsColumn({ model, width, height, active, theme, history, stopHistory, helpBindings, prefixKey = 'C-b', townName, now, provenance, elsewhere }: PanelsColumnProps) {
  const { state, view } = model;
  const detailsId = state.board.details?.id;
  const { index } = view.snapshot;
  const detailsBead = useMemo(() => (detailsId ? (view.snapshot.beads.find((b) => b.id === detailsId) ?? index?.bead(detailsId)) : undefined), [detailsId, view.snapshot.beads, index]);
  // Through the query index: only the beads the details mention (its needs, dependents, children).
  const detailsBeads = useMemo(() => (detailsId && index ? index.related(detailsId) : view.snapshot.beads), [detailsId, index, view.snapshot.beads]);
  const openThread = state.inbox.open ? view.inbox.find((m) => m.id === state.inbox.open?.id) : undefined;
  const threadId = openThread?.thread;
  const threadMail = useMemo(() => (threadId && index ? index.thread(threadId) : view.snapshot.mail), [threadId, index, view.snapshot.mail]);
  const detailsHistory = useMemo(
    () => (detailsId && history ? history(detailsId) : noHistory),
    // A new snapshot may bring new history (a new seq, or older records read in the background).
    [detailsId, history, view.snapshot],
  );
  useEffect(() => (detailsId && stopHistory ? () => stopHistory(detailsId) : undefined), [detailsId, stopHistory]);
  // One entity read for the open bead (a sync that touches it moves the snapshot).
  const detailsProvenance = useMemo(() => (detailsId && provenance ? provenance(detailsId) : undefined), [detailsId, provenance, view.snapshot]);
  if (state.help.open) {
    return <HelpOverlay bindings={helpBindings} prefixKey={prefixKey} scroll={state.help.scroll} width={width} height={height} theme={theme} />;
  }
  const formHeight = state.form ? state.form.fields.length + 4 + (state.form.error ? 1 : 0) : 0;
  const heights = panelHeights(state.layout, Math.max(0, height - formHeight));
  const focusedPanel = active && !state.form ? state.focus : undefined;
  // The windows as the state left them, moved on if the lists or the height changed since (pure:
  // the state catches up at the next action).
  const windows = followWindows(state.windows, state, view, height);
  return (
    <Box flexDirection="column" width={width} height={height}>
      {state.form ? <FormDialog form={state.form} width={width} theme={theme} /> : null}
      {heights.map(({ panel, rows }) => {
        if (rows < 3) return null;
        const common = { width, height: rows, focused: focusedPanel === panel, theme };
        switch (panel) {
          case 'board':
            return detailsBead ? (
              <BeadDetails key="board" bead={detailsBead} beads={detailsBeads} history={detailsHistory} scroll={state.board.details?.scroll ?? 0} townName={townName} provenance={detailsProvenance} now={now} {...common} />
            ) : (
              <Board key="board" board={view.board} cursor={state.board.cursor} filter={state.board.filter} notes={view.snapshot.scheduler?.notes} top={windows.board} elsewhere={elsewhere} {...common} />
            );
          case 'lane':
            return <RefineryLane key="lane" requests={view.lane} cursor={state.lane.cursor} open={state.lane.open || undefined} gateTail={view.snapshot.gateTail} top={windows.lane} {...common} />;
          case 'inbox':
            return <Inbox key="inbox" mail={view.inbox} cursor={state.inbox.cursor} open={state.inbox.open} me={view.snapshot.me} now={now ?? wholeSecond(Date.now())} allMail={threadMail} townName={townName} top={windows.inbox} {...common} />;
          case 'feed':
            return <ActivityFeed key="feed" events={view.feed} cursor={state.feed.cursor} top={windows.feed} {...common} />;
        }
      })}
    </Box>
  );
}

/**
 * Now to the second (the inbox's ages are in seconds): a key pressed within the same second
 * leaves the inbox's props as they were, so the memoized inbox is not drawn again for it.
 */
function wholeSecond(ms: number): number {
  return ms - (ms % 1000);
}
