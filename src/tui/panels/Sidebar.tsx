import { useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import { visibleLine } from '../../common/visible-text.js';
import { allBindings, onAction } from '../keys/bindings.js';
import type { PanelSlotProps } from '../shell/panel-slot.js';
import { panelsSession } from '../live/panels-session.js';
import { columnWidth, layoutReducer, visiblePanels, type LayoutState } from '../state/layout-reducer.js';
import { initialTriageState } from '../state/triage-reducer.js';
import { handlePrefixAction } from './handle-key.js';
import type { HelpBinding } from './HelpOverlay.js';
import { innerRows } from './Panel.js';
import { panelAction, panelGroups } from './shell-bindings.js';
import { TriagePanels } from './TriagePanels.js';
import { useTriage } from './use-triage.js';
import { useTriageInput } from './use-triage-input.js';

/** The width the sidebar asks the shell for under a layout (0 when every panel is hidden). */
export function sidebarWidthFor(layout: LayoutState, cols: number): number {
  return columnWidth(layout, cols);
}

/**
 * The panel sidebar the shell mounts (src/tui/shell/panel-slot.ts): opens the town's panels
 * session, follows the journal live, takes keys while it has the keyboard, runs triage
 * commands, remembers the layout, and answers the panels' prefix keys.
 */
export function Sidebar(props: PanelSlotProps) {
  const session = useMemo(() => panelsSession(props.town.root), [props.town.root]);
  useEffect(() => {
    mountedSidebars++;
    lastRoot = props.town.root;
    return () => {
      mountedSidebars--;
    };
  }, [props.town.root]);
  const snapshot = useSyncExternalStore(session.feed.subscribe, session.feed.getSnapshot);
  const { journalSeq, panes, notify, setSidebarWidth, focusPane } = props;
  const focusPaneRef = useRef(focusPane);
  focusPaneRef.current = focusPane;
  session.setSidebarWidth = setSidebarWidth;

  // The daemon's journal notifications are a second trigger besides chokidar.
  useEffect(() => session.feed.refresh(), [session, journalSeq]);
  useEffect(() => session.feed.setPolecats(panes.map((p) => ({ name: p.polecat, status: p.status, bead: p.bead }))), [session, panes]);

  const triage = useTriage({
    snapshot,
    onCommand: session.run,
    initialLayout: session.layout,
    onLayoutChange: (layout) => {
      session.saveLayout(layout);
      if (session.cols) setSidebarWidth(sidebarWidthFor(layout, session.cols));
    },
    pageRows: Math.max(1, innerRows(Math.round(props.height / 2)) - 1),
  });

  // Keys: Ink's input while the panels have the keyboard; Esc on a top-level list gives it back.
  const triageRef = useRef(triage);
  triageRef.current = triage;
  useTriageInputWithEscape(triage, props.hasKeyboard, () => focusPaneRef.current());

  // The panels' prefix keys, delivered by the shell as actions.
  useEffect(
    () =>
      onAction((action) => {
        const id = panelAction(action);
        if (!id) return false;
        const outcome = handlePrefixAction(triageRef.current.state, id);
        for (const a of outcome.actions) triageRef.current.dispatch(a);
        return outcome.handled;
      }),
    [],
  );

  // Notices go to the shell's message line too, each once. The shell passes a new `notify` on
  // every render, and calling it re-renders: read it through a ref, never as an effect's input.
  const notifyRef = useRef(notify);
  notifyRef.current = notify;
  const notice = triage.state.notice;
  useEffect(() => {
    // A notice can quote a title or a command's error: one visible line on the message line too.
    if (notice && notice.level !== 'busy') notifyRef.current(visibleLine(notice.text), notice.level === 'error' ? 'error' : 'info');
  }, [notice]);

  // A bad theme file is reported once, with its file and key.
  useEffect(() => {
    const problems = session.theme.problems;
    if (problems.length) notifyRef.current(`theme: ${problems[0]}${problems.length > 1 ? ` (+${problems.length - 1} more)` : ''}`, 'error');
  }, [session]);

  // The help lists every binding of the workstation: the panels' own first (they are what the
  // keyboard is on when `?` is pressed here), then the shell's, prefix keys spelled out.
  const prefixKey = session.town.config.prefixKey;
  const helpBindings = useMemo<HelpBinding[]>(() => {
    const all = allBindings().flatMap((b) =>
      b.keys.map((key) => ({ key: b.mode === 'prefix' ? `${prefixKey} ${key}` : key, action: b.action, description: b.description, context: b.group ?? b.mode })),
    );
    const isPanels = (b: HelpBinding): boolean => panelGroups.has(b.context);
    return [...all.filter(isPanels), ...all.filter((b) => !isPanels(b))];
  }, [prefixKey]);
  return (
    <TriagePanels
      triage={triage}
      width={props.width}
      height={props.height}
      active={props.hasKeyboard}
      theme={session.theme.theme}
      history={session.feed.history}
      helpBindings={helpBindings}
      prefixKey={prefixKey}
    />
  );
}

function useTriageInputWithEscape(triage: ReturnType<typeof useTriage>, isActive: boolean, leave: () => void): void {
  useTriageInput(
    {
      ...triage,
      onKey: (key, input) => {
        const used = triage.onKey(key, input);
        if (!used && key === 'esc') leave();
        return used;
      },
    },
    isActive,
  );
}

let mountedSidebars = 0;
let lastRoot: string | undefined;

/**
 * Registered once with the shell (index.ts): prefix actions of the panels while no sidebar is
 * mounted (a mounted sidebar answers them itself).
 */
export function unmountedSidebarAction(action: string): boolean {
  if (mountedSidebars > 0 || lastRoot === undefined) return false;
  return hiddenSidebarAction(lastRoot, action);
}

/** The sidebar's starting width: from the remembered layout (prefix < / > change it). */
export function initialSidebarWidth(town: { root: string }, cols: number): number {
  const session = panelsSession(town.root);
  session.cols = cols;
  lastRoot = town.root;
  return sidebarWidthFor(session.layout, cols);
}

/**
 * The panels' prefix actions while the sidebar is not mounted (every panel hidden): the layout
 * changes on disk, and the sidebar comes back when a panel is shown again.
 */
export function hiddenSidebarAction(root: string, action: string): boolean {
  const id = panelAction(action);
  if (!id) return false;
  const session = panelsSession(root);
  const outcome = handlePrefixAction({ ...initialTriageState, layout: session.layout }, id);
  let layout = session.layout;
  for (const a of outcome.actions) if (a.type === 'layout') layout = layoutReducer(layout, a.action);
  if (layout !== session.layout) {
    session.saveLayout(layout);
    if (session.cols && visiblePanels(layout).length) session.setSidebarWidth?.(sidebarWidthFor(layout, session.cols));
  }
  return outcome.handled;
}

