import { formReducer, type FormAction, type FormState } from './form-reducer.js';
import { initialLayout, layoutReducer, panelIds, visiblePanels, type LayoutAction, type LayoutState, type PanelId } from './layout-reducer.js';
import { moveCursor, startCursor, type ListCursor } from './list-cursor.js';
import { noWindows, type ListWindows } from './list-windows.js';

/** The panels' whole UI state: focus, selections, open views, the modal form, the layout. */
export interface PanelsState {
  /** The panel with the keyboard focus (when the panels have it at all: the shell decides). */
  readonly focus: PanelId;
  readonly help: { readonly open: boolean; readonly scroll: number };
  readonly board: {
    readonly cursor: ListCursor;
    /** The filter as typed (parsed by board-filter.ts). */
    readonly filter: string;
    /** The bead whose details are open, with the details' scroll offset. */
    readonly details?: { readonly id: string; readonly scroll: number } | undefined;
  };
  readonly inbox: { readonly cursor: ListCursor; readonly open?: { readonly id: string; readonly scroll: number } | undefined };
  readonly lane: { readonly cursor: ListCursor; readonly open?: string | undefined };
  readonly feed: { readonly cursor: ListCursor };
  /** The first row each list shows (list-windows.ts `followWindows` moves them with the selections). */
  readonly windows: ListWindows;
  /** The modal form, when one is open: it takes every key. */
  readonly form: FormState | null;
  readonly layout: LayoutState;
  /** The last thing to tell the person: a command running, done, or failed. */
  readonly notice: { readonly text: string; readonly level: 'busy' | 'info' | 'error' } | null;
}

export const initialPanelsState: PanelsState = {
  focus: 'board',
  help: { open: false, scroll: 0 },
  board: { cursor: startCursor, filter: '' },
  inbox: { cursor: startCursor },
  lane: { cursor: startCursor },
  feed: { cursor: startCursor },
  windows: noWindows,
  form: null,
  layout: initialLayout,
  notice: null,
};

export type ListPanel = 'board' | 'inbox' | 'lane' | 'feed';

export type PanelsAction =
  | { readonly type: 'focus'; readonly panel: PanelId }
  | { readonly type: 'focusBy'; readonly by: number }
  | { readonly type: 'help'; readonly open: boolean }
  | { readonly type: 'helpScroll'; readonly by: number | 'top' | 'bottom' }
  /** Moves a list's selection; `order` is the list's ids as currently shown. */
  | { readonly type: 'cursor'; readonly panel: ListPanel; readonly by: number | 'top' | 'bottom'; readonly order: readonly string[] }
  | { readonly type: 'select'; readonly panel: ListPanel; readonly id: string; readonly index: number }
  | { readonly type: 'openDetails'; readonly id: string }
  | { readonly type: 'closeDetails' }
  | { readonly type: 'detailsScroll'; readonly by: number | 'top' | 'bottom' }
  | { readonly type: 'openMessage'; readonly id: string }
  | { readonly type: 'closeMessage' }
  | { readonly type: 'messageScroll'; readonly by: number | 'top' | 'bottom' }
  | { readonly type: 'openLane'; readonly id: string }
  | { readonly type: 'openForm'; readonly form: FormState }
  | { readonly type: 'form'; readonly action: FormAction }
  | { readonly type: 'closeForm' }
  | { readonly type: 'filter'; readonly line: string }
  | { readonly type: 'layout'; readonly action: LayoutAction }
  | { readonly type: 'notice'; readonly notice: PanelsState['notice'] }
  /** The lists' windows, as `followWindows` moved them (use-panels.ts, after each action). */
  | { readonly type: 'windows'; readonly windows: ListWindows };

/** Scrolls an offset; 'bottom' is resolved by the view (it knows the content's length). */
function scrollBy(offset: number, by: number | 'top' | 'bottom'): number {
  if (by === 'top') return 0;
  if (by === 'bottom') return Number.MAX_SAFE_INTEGER;
  return Math.max(0, Math.min(offset, 1_000_000) + by);
}

export function panelsReducer(state: PanelsState, action: PanelsAction): PanelsState {
  switch (action.type) {
    case 'focus':
      return state.focus === action.panel ? state : { ...state, focus: action.panel };
    case 'focusBy': {
      const shown = visiblePanels(state.layout);
      if (!shown.length) return state;
      const at = shown.indexOf(state.focus);
      const next = shown[(Math.max(0, at) + action.by + shown.length * 2) % shown.length] ?? state.focus;
      return { ...state, focus: next };
    }
    case 'help':
      return { ...state, help: { open: action.open, scroll: 0 } };
    case 'helpScroll':
      return { ...state, help: { ...state.help, scroll: scrollBy(state.help.scroll, action.by) } };
    case 'cursor': {
      const list = state[action.panel];
      return { ...state, [action.panel]: { ...list, cursor: moveCursor(list.cursor, action.by, action.order) } };
    }
    case 'select': {
      const list = state[action.panel];
      return { ...state, [action.panel]: { ...list, cursor: { selectedId: action.id, index: action.index } } };
    }
    case 'openDetails':
      return { ...state, board: { ...state.board, details: { id: action.id, scroll: 0 } } };
    case 'closeDetails':
      return { ...state, board: { ...state.board, details: undefined } };
    case 'detailsScroll': {
      const details = state.board.details;
      if (!details) return state;
      return { ...state, board: { ...state.board, details: { ...details, scroll: scrollBy(details.scroll, action.by) } } };
    }
    case 'openMessage':
      return { ...state, inbox: { ...state.inbox, open: { id: action.id, scroll: 0 } } };
    case 'closeMessage':
      return { ...state, inbox: { ...state.inbox, open: undefined } };
    case 'messageScroll': {
      const open = state.inbox.open;
      if (!open) return state;
      return { ...state, inbox: { ...state.inbox, open: { ...open, scroll: scrollBy(open.scroll, action.by) } } };
    }
    case 'openLane':
      return { ...state, lane: { ...state.lane, open: action.id } };
    case 'openForm':
      return { ...state, form: action.form };
    case 'form':
      return state.form ? { ...state, form: formReducer(state.form, action.action) } : state;
    case 'closeForm':
      return { ...state, form: null };
    case 'filter':
      // A new filter starts the selection at the top of what it shows.
      return { ...state, board: { ...state.board, filter: action.line, cursor: startCursor } };
    case 'layout': {
      const layout = layoutReducer(state.layout, action.action);
      if (layout === state.layout) return state;
      // Focus never stays on a hidden panel.
      const shown = visiblePanels(layout);
      const focus = shown.includes(state.focus) ? state.focus : (shown[0] ?? state.focus);
      return { ...state, layout, focus };
    }
    case 'notice':
      return { ...state, notice: action.notice };
    case 'windows':
      return action.windows === state.windows ? state : { ...state, windows: action.windows };
  }
}

export { panelIds };
