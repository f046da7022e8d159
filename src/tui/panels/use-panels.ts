import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { noFilter } from '../state/board-filter.js';
import { groupBoard } from '../state/board-groups.js';
import type { LayoutState } from '../state/layout-reducer.js';
import { townCounts, type TownCounts } from '../state/town-counts.js';
import { describeCommand, type CommandRunner, type TriageCommand } from '../state/triage-command.js';
import { initialPanelsState, panelsReducer, type PanelsAction, type PanelsState } from '../state/panels-reducer.js';
import { deriveBoard, deriveFeed, deriveInbox, deriveLane, type PanelsView } from '../state/panels-view.js';
import { followWindows } from '../state/list-windows.js';
import type { TownSnapshot } from '../state/types.js';
import type { MergedRef } from '../live/branch-diff.js';
import { bindings as allBindings, type Binding, type PanelActionId } from '../keys/bindings.js';
import { handlePanelKey, handlePrefixAction, type KeyOutcome } from './handle-key.js';

export interface UsePanelsOptions {
  readonly snapshot: TownSnapshot;
  /** Runs what the person asked for (see state/triage-command.ts). */
  readonly onCommand: CommandRunner;
  /** The remembered layout (live/layout-store.ts), used once at mount. */
  readonly initialLayout?: LayoutState | undefined;
  /** Called after the layout changed (to remember it). */
  readonly onLayoutChange?: ((layout: LayoutState) => void) | undefined;
  /** The bindings to act on (keys/bindings.ts by default). */
  readonly bindings?: readonly Binding[] | undefined;
  /** Rows a page move skips (about the board's height). */
  readonly pageRows?: number | undefined;
  /**
   * The column's height, as <PanelsColumn> gets it: with it, each action also moves the lists'
   * windows (`state.windows`, list-windows.ts) to keep the selections in view.
   */
  readonly height?: number | undefined;
  /** Shows what `branch` changed against main (the lane's `d`): the shell's diff view. */
  readonly onDiff?: ((polecat: string, branch: string, merged?: MergedRef) => void) | undefined;
}

/** The panels' state and what to do with keys: the shell holds one and passes it to <PanelsColumn>. */
export interface PanelsModel {
  readonly state: PanelsState;
  readonly view: PanelsView;
  /** Status bar counts (unfiltered). */
  readonly counts: TownCounts;
  readonly dispatch: (action: PanelsAction) => void;
  /** A key (tmux notation, and its text) while the panels have the focus; returns whether it was used. */
  onKey(key: string, input: string): boolean;
  /** One of the panels' prefix actions, handed over by the shell; returns whether it was used. */
  onPrefixAction(action: PanelActionId): boolean;
  /** Runs a command as if a key had asked for it (the shell's command palette). */
  run(command: TriageCommand): void;
}

/**
 * Holds the panels' state (one reducer), derives what they show from the snapshot with each
 * part memoized on its own input — a keystroke regroups nothing, so moving the selection costs
 * one small render even at 10k beads — and turns keys into actions and commands.
 */
export function usePanels({ snapshot, onCommand, initialLayout, onLayoutChange, bindings = allBindings, pageRows = 10, onDiff, height }: UsePanelsOptions): PanelsModel {
  // The state lives in a ref reduced synchronously, so keys arriving faster than React renders
  // (a paste, a fast typist, a test) each see the state the previous one left.
  const stateRef = useRef<PanelsState | undefined>(undefined);
  stateRef.current ??= initialLayout ? { ...initialPanelsState, layout: initialLayout } : initialPanelsState;
  const [state, setState] = useState<PanelsState>(stateRef.current);
  // What the windows follow: the view and the height of the last render.
  const shown = useRef<{ view?: PanelsView; height?: number | undefined }>({});
  const dispatch = useCallback((action: PanelsAction) => {
    const current = stateRef.current ?? initialPanelsState;
    let next = panelsReducer(current, action);
    const { view: v, height: h } = shown.current;
    if (v && h !== undefined) next = panelsReducer(next, { type: 'windows', windows: followWindows(next.windows, next, v, h) });
    if (next === current) return;
    stateRef.current = next;
    setState(next);
  }, []);
  const board = useMemo(() => deriveBoard(snapshot, state.board.filter), [snapshot.beads, snapshot.index, state.board.filter]);
  // The counts' unfiltered grouping: the same beads give the same one (a pending closed group
  // read in at last changes the index's context, not the unfiltered counts).
  const filtering = state.board.filter !== '';
  const unfiltered = useMemo(() => (filtering ? groupBoard(snapshot.beads, noFilter, snapshot.index?.board) : undefined), [snapshot.beads, filtering]);
  const allBoard = unfiltered ?? board;
  const inbox = useMemo(() => deriveInbox(snapshot), [snapshot.mail, snapshot.me]);
  const lane = useMemo(() => deriveLane(snapshot), [snapshot.mergeRequests]);
  const feed = useMemo(() => deriveFeed(snapshot), [snapshot.events]);
  const view = useMemo<PanelsView>(() => ({ snapshot, board, ...inbox, ...lane, ...feed }), [snapshot, board, inbox, lane, feed]);
  const counts = useMemo(() => townCounts(snapshot, allBoard), [snapshot, allBoard]);
  shown.current = { view, height };

  // Keys read the latest state and view through refs, so the callbacks stay stable.
  const latest = useRef({ view, onCommand, bindings, pageRows, onDiff });
  latest.current = { view, onCommand, bindings, pageRows, onDiff };

  const run = useCallback((command: TriageCommand) => {
    const what = describeCommand(command);
    dispatch({ type: 'notice', notice: { text: `${what}…`, level: 'busy' } });
    latest.current.onCommand(command).then(
      (result) => dispatch({ type: 'notice', notice: { text: result || what, level: 'info' } }),
      (error: unknown) => dispatch({ type: 'notice', notice: { text: error instanceof Error ? error.message : String(error), level: 'error' } }),
    );
  }, [dispatch]);

  const apply = useCallback(
    (outcome: KeyOutcome): boolean => {
      for (const action of outcome.actions) dispatch(action);
      if (outcome.command) run(outcome.command);
      if (outcome.diff) latest.current.onDiff?.(outcome.diff.polecat, outcome.diff.branch, outcome.diff.merged);
      return outcome.handled;
    },
    [run, dispatch],
  );

  const onKey = useCallback(
    (key: string, input: string) => {
      const { view: v, bindings: b, pageRows: p } = latest.current;
      const s = stateRef.current ?? initialPanelsState;
      // A notice stays until the next key.
      if (s.notice && s.notice.level !== 'busy') dispatch({ type: 'notice', notice: null });
      return apply(handlePanelKey(stateRef.current ?? s, v, key, input, p, b));
    },
    [apply, dispatch],
  );

  const onPrefixAction = useCallback((action: PanelActionId) => apply(handlePrefixAction(stateRef.current ?? initialPanelsState, action)), [apply]);

  const layoutSeen = useRef(state.layout);
  useEffect(() => {
    if (layoutSeen.current === state.layout) return;
    layoutSeen.current = state.layout;
    onLayoutChange?.(state.layout);
  }, [state.layout, onLayoutChange]);

  return { state, view, counts, dispatch, onKey, onPrefixAction, run };
}
