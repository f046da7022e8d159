import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import { visibleLine } from '../../common/visible-text.js';
import { drawnElsewhere, foreignTags, provenanceOf } from '../../federation/provenance.js';
import { bindings, type Binding, type PanelActionId } from '../keys/bindings.js';
import type { PanelSlotProps } from '../shell/panel-slot.js';
import { kindView } from '../live/kind-view.js';
import { panelsSession } from '../live/panels-session.js';
import { columnWidth, layoutReducer, visiblePanels, type LayoutState } from '../state/layout-reducer.js';
import { initialPanelsState } from '../state/panels-reducer.js';
import { handlePrefixAction } from './handle-key.js';
import { innerRows } from './Panel.js';
import { PanelsColumn } from './PanelsColumn.js';
import { usePanels } from './use-panels.js';

/** The width the panels ask the shell for under a layout (0 when every panel is hidden). */
export function panelsWidthFor(layout: LayoutState, cols: number): number {
  return columnWidth(layout, cols);
}

/**
 * The panels the shell mounts (src/tui/shell/panel-slot.ts): opens the town's panels
 * session, follows the journal live, takes the keys the shell hands it (already parsed) while
 * it has the keyboard, runs triage commands, remembers the layout, and answers the panels'
 * prefix actions.
 */
export function Panels(props: PanelSlotProps) {
  const session = useMemo(() => panelsSession(props.town.root), [props.town.root]);
  const snapshot = useSyncExternalStore(session.feed.subscribe, session.feed.getSnapshot);
  const { journalSeq, panes, notify, setPanelsWidth, focusPane } = props;
  const focusPaneRef = useRef(focusPane);
  focusPaneRef.current = focusPane;

  // The daemon's journal notifications are a second trigger besides chokidar.
  useEffect(() => session.feed.refresh(), [session, journalSeq]);
  useEffect(() => session.feed.setPolecats(panes.map((p) => ({ name: p.polecat, status: p.status, bead: p.bead }))), [session, panes]);

  const model = usePanels({
    snapshot,
    onCommand: session.run,
    initialLayout: session.layout,
    onLayoutChange: (layout) => {
      session.saveLayout(layout);
      if (session.cols) setPanelsWidth(panelsWidthFor(layout, session.cols));
    },
    pageRows: Math.max(1, innerRows(Math.round(props.height / 2)) - 1),
    height: props.height,
    onDiff: (polecat, branch, merged) => props.showDiff?.(polecat, branch, merged),
  });

  // Keys and prefix actions from the shell; Esc that a top-level list does not use gives the
  // keyboard back to the panes.
  const modelRef = useRef(model);
  modelRef.current = model;
  const { input } = props;
  useEffect(
    () =>
      input.listen((event) => {
        const t = modelRef.current;
        if (event.kind === 'action') return t.onPrefixAction(event.action);
        const used = t.onKey(event.key.name, event.key.raw);
        if (!used && event.key.name === 'Escape') focusPaneRef.current();
        return used;
      }),
    [input],
  );

  // Notices go to the shell's message line too, each once. The shell passes a new `notify` on
  // every render, and calling it re-renders: read it through a ref, never as an effect's input.
  const notifyRef = useRef(notify);
  notifyRef.current = notify;
  const notice = model.state.notice;
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
  const helpBindings = useMemo<Binding[]>(() => [...bindings.filter(isPanels), ...bindings.filter((b) => !isPanels(b))], []);
  // What came from where (issue 19): the open bead's fed-meta by id; the board's marker from the
  // towns pulled from (a few `fed` entities per journal change), never a read per bead.
  const provenance = useCallback((id: string) => provenanceOf(session.town.journal.read(), id), [session]);
  // Through the query index (kindView): walking the `fed` kind directly would load the whole town.
  const tags = useMemo(() => foreignTags(kindView(session.town.journal.read())), [session, snapshot.seq]);
  const elsewhere = useMemo(() => (tags.size ? (id: string) => drawnElsewhere(id, tags) : undefined), [tags]);
  return (
    <PanelsColumn
      model={model}
      width={props.width}
      height={props.height}
      active={props.hasKeyboard}
      theme={session.theme.theme}
      history={session.feed.history}
      stopHistory={session.feed.stopHistory}
      helpBindings={helpBindings}
      prefixKey={prefixKey}
      townName={session.town.config.name}
      provenance={provenance}
      elsewhere={elsewhere}
    />
  );
}

/** Whether a binding is the panels' own (the help lists those first when opened from the panels). */
function isPanels(binding: Binding): boolean {
  return binding.context !== 'copy' && (binding.context !== 'prefix' || binding.group === 'Panels');
}

/** The panels' starting width: from the remembered layout (prefix < / > change it). */
export function initialPanelsWidth(town: { root: string }, cols: number): number {
  const session = panelsSession(town.root);
  session.cols = cols;
  return panelsWidthFor(session.layout, cols);
}

/**
 * The panels' prefix actions while they are not mounted (every panel hidden): the layout
 * changes on disk, and the panels' new width (0 while every panel stays hidden) goes back to
 * the shell, which mounts the panels again when it is not 0. Undefined: not a prefix action
 * the hidden panels take.
 */
export function hiddenPanelAction(town: { root: string }, action: PanelActionId, cols: number): number | undefined {
  const session = panelsSession(town.root);
  const outcome = handlePrefixAction({ ...initialPanelsState, layout: session.layout }, action);
  if (!outcome.handled) return undefined;
  let layout = session.layout;
  for (const a of outcome.actions) if (a.type === 'layout') layout = layoutReducer(layout, a.action);
  if (layout !== session.layout) session.saveLayout(layout);
  session.cols = cols;
  return visiblePanels(layout).length ? panelsWidthFor(layout, cols) : 0;
}
