import type { PaneInfo } from '../../daemon/protocol.js';
import { computeLayout, type ScreenLayout } from '../layout/screen-layout.js';
import { neighbour, type Direction } from '../layout/neighbour.js';
import { MIN_PANE } from '../layout/pages.js';

/** Where the keyboard goes when no prefix is pending. */
export type KeyboardTarget = 'panes' | 'panels';
/** normal: keys go to the focused pane (or panels); prefix: the next key is a command. */
export type InputMode = 'normal' | 'prefix' | 'copy' | 'help' | 'overview';

/** The panes part of the shell's state: panes, focus, zoom, mode (shell-state.ts has the rest). */
export interface WorkstationState {
  readonly cols: number;
  readonly rows: number;
  readonly panes: readonly PaneInfo[];
  readonly focus: string | undefined;
  /** The pane focused before the current one (for focus moves that come back). */
  readonly previousFocus: string | undefined;
  readonly zoomed: string | undefined;
  readonly keyboard: KeyboardTarget;
  readonly mode: InputMode;
  readonly panelsWidth: number;
  /** A short message for the message line, with its kind. */
  readonly message: { readonly text: string; readonly kind: 'info' | 'error' } | undefined;
}

export type WorkstationAction =
  | { type: 'panes'; panes: readonly PaneInfo[] }
  | { type: 'resize'; cols: number; rows: number }
  | { type: 'prefix' }
  | { type: 'mode'; mode: InputMode }
  | { type: 'focus-direction'; direction: Direction }
  | { type: 'focus-pane'; id: string }
  /** Show page `n` (1-based), focusing its first pane. */
  | { type: 'page-number'; n: number }
  | { type: 'page-cycle'; delta: 1 | -1 }
  | { type: 'focus-cycle'; delta: 1 | -1 }
  | { type: 'zoom' }
  | { type: 'toggle-keyboard' }
  | { type: 'panels-width'; width: number }
  | { type: 'message'; text: string; kind?: 'info' | 'error' }
  | { type: 'clear-message' };

export function initialWorkstationState(cols: number, rows: number, panelsWidth = 0): WorkstationState {
  return {
    cols,
    rows,
    panes: [],
    focus: undefined,
    previousFocus: undefined,
    zoomed: undefined,
    keyboard: 'panes',
    mode: 'normal',
    panelsWidth,
    message: undefined,
  };
}

/** The screen layout for a state (the one pure function the chrome and the compositor share). */
export function layoutOf(state: WorkstationState): ScreenLayout {
  return computeLayout({
    cols: state.cols,
    rows: state.rows,
    panes: state.panes.map((p) => p.id),
    zoomed: state.zoomed,
    panelsWidth: state.panelsWidth,
    minPane: MIN_PANE,
    focus: state.focus,
  });
}

function focusOn<S extends WorkstationState>(state: S, id: string | undefined): S {
  if (id === undefined || id === state.focus) return state;
  // While zoomed, the zoom follows the focus: cycling flips through full-size panes.
  return { ...state, focus: id, previousFocus: state.focus, zoomed: state.zoomed === undefined ? undefined : id, keyboard: 'panes' };
}

/**
 * The panes part of the shell's state (focus, zoom, keyboard, mode, sizes), reduced; generic so
 * the shell's whole state (shell-state.ts) goes through it with its other fields kept.
 */
export function workstationReducer<S extends WorkstationState>(state: S, action: WorkstationAction): S {
  switch (action.type) {
    case 'panes': {
      const ids = new Set(action.panes.map((p) => p.id));
      const focus = state.focus !== undefined && ids.has(state.focus) ? state.focus : action.panes[0]?.id;
      const zoomed = state.zoomed !== undefined && ids.has(state.zoomed) ? state.zoomed : undefined;
      const previousFocus = state.previousFocus !== undefined && ids.has(state.previousFocus) ? state.previousFocus : undefined;
      const mode = state.mode === 'copy' && focus !== state.focus ? 'normal' : state.mode;
      return { ...state, panes: action.panes, focus, zoomed, previousFocus, mode };
    }
    case 'resize':
      return { ...state, cols: action.cols, rows: action.rows };
    case 'prefix':
      return { ...state, mode: 'prefix' };
    case 'mode':
      return { ...state, mode: action.mode };
    case 'focus-direction': {
      if (state.focus === undefined || state.zoomed !== undefined) return state;
      const layout = layoutOf(state);
      return focusOn(state, neighbour(layout.panes, state.focus, action.direction));
    }
    case 'focus-pane':
      return state.panes.some((p) => p.id === action.id) ? focusOn(state, action.id) : state;
    case 'page-number': {
      const { pages, page } = layoutOf(state);
      const target = pages[action.n - 1];
      if (!target) return { ...state, message: { text: `no page ${action.n} (${pages.length} page${pages.length === 1 ? '' : 's'})`, kind: 'error' } };
      return action.n - 1 === page ? state : focusOn(state, target[0]);
    }
    case 'page-cycle': {
      const { pages, page } = layoutOf(state);
      if (pages.length < 2) return state;
      return focusOn(state, pages[(page + action.delta + pages.length) % pages.length]![0]);
    }
    case 'focus-cycle': {
      if (state.panes.length === 0) return state;
      const i = state.panes.findIndex((p) => p.id === state.focus);
      const next = state.panes[(i + action.delta + state.panes.length) % state.panes.length]!;
      return focusOn(state, next.id);
    }
    case 'zoom':
      if (state.focus === undefined) return state;
      return { ...state, zoomed: state.zoomed === undefined ? state.focus : undefined };
    case 'toggle-keyboard':
      return { ...state, keyboard: state.keyboard === 'panes' ? 'panels' : 'panes' };
    case 'panels-width':
      return { ...state, panelsWidth: Math.max(0, Math.floor(action.width)) };
    case 'message':
      return { ...state, message: { text: action.text, kind: action.kind ?? 'info' } };
    case 'clear-message':
      return state.message === undefined ? state : { ...state, message: undefined };
  }
}
