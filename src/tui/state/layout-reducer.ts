/**
 * Which panels are shown and how big they are. The panels share one column beside the pane
 * grid: `width` is its share of the screen (percent), each visible panel's `weight` its share
 * of the column's height. Remembered per town in `.citadel/run/layout.json` (see
 * live/layout-store.ts).
 */

export const panelIds = ['board', 'lane', 'inbox', 'feed'] as const;
export type PanelId = (typeof panelIds)[number];

export interface PanelLayout {
  readonly visible: boolean;
  /** Share of the column's height, 1–8. */
  readonly weight: number;
}

export interface LayoutState {
  readonly panels: Readonly<Record<PanelId, PanelLayout>>;
  /** The panels column's share of the screen width, in percent (20–50: the shell keeps half the screen for panes). */
  readonly width: number;
}

export const initialLayout: LayoutState = {
  panels: {
    board: { visible: true, weight: 4 },
    lane: { visible: true, weight: 2 },
    inbox: { visible: true, weight: 2 },
    feed: { visible: true, weight: 2 },
  },
  width: 40,
};

export const minWidth = 20;
export const maxWidth = 50;
export const minWeight = 1;
export const maxWeight = 8;

export type LayoutAction =
  | { readonly type: 'toggle'; readonly panel: PanelId }
  | { readonly type: 'resizeColumn'; readonly by: number }
  | { readonly type: 'resizePanel'; readonly panel: PanelId; readonly by: number }
  | { readonly type: 'reset' }
  | { readonly type: 'load'; readonly layout: LayoutState };

const clamp = (value: number, low: number, high: number): number => Math.min(high, Math.max(low, value));

export function layoutReducer(state: LayoutState, action: LayoutAction): LayoutState {
  switch (action.type) {
    case 'toggle': {
      const panel = state.panels[action.panel];
      return { ...state, panels: { ...state.panels, [action.panel]: { ...panel, visible: !panel.visible } } };
    }
    case 'resizeColumn':
      return { ...state, width: clamp(state.width + action.by, minWidth, maxWidth) };
    case 'resizePanel': {
      const panel = state.panels[action.panel];
      const weight = clamp(panel.weight + action.by, minWeight, maxWeight);
      if (weight === panel.weight && panel.visible) return state;
      return { ...state, panels: { ...state.panels, [action.panel]: { visible: true, weight } } };
    }
    case 'reset':
      return initialLayout;
    case 'load':
      return action.layout;
  }
}

/** The visible panels, in column order. */
export function visiblePanels(layout: LayoutState): PanelId[] {
  return panelIds.filter((id) => layout.panels[id].visible);
}

/**
 * Splits `rows` lines among the visible panels by weight; every panel gets at least 3 lines
 * (a border and one row) while that fits. Pure: the shell's compositor and the panels agree.
 */
export function panelHeights(layout: LayoutState, rows: number): { panel: PanelId; rows: number }[] {
  const shown = visiblePanels(layout);
  if (!shown.length) return [];
  const total = shown.reduce((sum, id) => sum + layout.panels[id].weight, 0);
  const heights = shown.map((id) => Math.max(3, Math.floor((rows * layout.panels[id].weight) / total)));
  let sum = heights.reduce((a, h) => a + h, 0);
  // Too tall (the minimums did not fit): take lines from the tallest panel first.
  while (sum > rows) {
    let tallest = 0;
    heights.forEach((h, i) => {
      if (h > (heights[tallest] ?? 0)) tallest = i;
    });
    if ((heights[tallest] ?? 0) === 0) break;
    heights[tallest] = (heights[tallest] ?? 0) - 1;
    sum--;
  }
  // Rounding left lines over: hand them out from the first (the board) on.
  for (let i = 0; sum < rows; i = (i + 1) % heights.length, sum++) heights[i] = (heights[i] ?? 0) + 1;
  return shown.map((panel, i) => ({ panel, rows: heights[i] ?? 0 }));
}

/** The width in columns of the panels column on a screen `cols` wide (0 when no panel is shown). */
export function columnWidth(layout: LayoutState, cols: number): number {
  if (!visiblePanels(layout).length) return 0;
  return Math.max(24, Math.min(cols, Math.round((cols * layout.width) / 100)));
}

/**
 * Reads a remembered layout (parsed JSON). Anything missing or out of range falls back to the
 * default for that part, so an old or hand-edited file never stops the workstation.
 */
export function layoutFromJson(value: unknown): LayoutState {
  if (typeof value !== 'object' || value === null) return initialLayout;
  const raw = value as { panels?: Record<string, { visible?: unknown; weight?: unknown }>; width?: unknown };
  const panels = { ...initialLayout.panels };
  for (const id of panelIds) {
    const p = raw.panels?.[id];
    if (!p || typeof p !== 'object') continue;
    panels[id] = {
      visible: typeof p.visible === 'boolean' ? p.visible : initialLayout.panels[id].visible,
      weight: Number.isInteger(p.weight) ? clamp(p.weight as number, minWeight, maxWeight) : initialLayout.panels[id].weight,
    };
  }
  const width = typeof raw.width === 'number' && Number.isFinite(raw.width) ? clamp(Math.round(raw.width), minWidth, maxWidth) : initialLayout.width;
  return { panels, width };
}
