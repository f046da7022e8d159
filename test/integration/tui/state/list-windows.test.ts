import { afterEach, describe, expect, it } from 'vitest';
import { panelHeights } from '../../../../src/tui/state/layout-reducer.js';
import { followWindows, innerRows, noWindows } from '../../../../src/tui/state/list-windows.js';
import { initialPanelsState, panelsReducer, type PanelsState } from '../../../../src/tui/state/panels-reducer.js';
import { deriveView } from '../../../../src/tui/state/panels-view.js';
import { manyBeads, smallTown } from '../../../helpers/panels-fixtures.js';
import { frameWhere, renderPanels } from '../panels/harness.js';

/**
 * The lists' windows live in the panels' state (list-windows.ts), not in the components: a
 * window scrolls only when the selection leaves it, so it has a memory, and that memory is
 * state the pure update moves.
 */
const snapshot = smallTown({ beads: manyBeads(200) });
const view = deriveView(snapshot, '');
const HEIGHT = 40;

/** Moves the board's selection `by` rows and lets the windows follow, as use-panels.ts does. */
function move(state: PanelsState, by: number | 'top' | 'bottom'): PanelsState {
  const moved = panelsReducer(state, { type: 'cursor', panel: 'board', by, order: view.board.order });
  return panelsReducer(moved, { type: 'windows', windows: followWindows(moved.windows, moved, view, HEIGHT) });
}

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

describe('list windows', () => {
  it('scroll only when the selection leaves them, and remember where they are', () => {
    let state = move(initialPanelsState, 0);
    expect(state.windows).toBe(noWindows);
    for (let i = 0; i < 60; i++) state = move(state, 1);
    const scrolled = state.windows.board;
    expect(scrolled).toBeGreaterThan(0);
    const selectedRow = view.board.rowOf[state.board.cursor.index]!;
    // The selection is the window's last row after moving down past it.
    const rows = innerRows(panelHeights(state.layout, HEIGHT).find((p) => p.panel === 'board')!.rows);
    expect(selectedRow).toBe(scrolled + rows - 1);
    // Back up a few rows: still inside the window, which does not move (its memory).
    for (let i = 0; i < 3; i++) state = move(state, -1);
    expect(state.windows.board).toBe(scrolled);
    // To the first bead: the window goes back to the top, section header included.
    state = move(state, 'top');
    expect(state.windows.board).toBe(0);
    // Nothing moved: the same windows object (no re-render for it).
    expect(followWindows(state.windows, state, view, HEIGHT)).toBe(state.windows);
  });

  it('are moved by keys through the panels model and drawn from the state', async () => {
    const panels = renderPanels(snapshot, { height: HEIGHT });
    cleanup = () => panels.unmount();
    for (let i = 0; i < 60; i++) panels.stdin.write('j');
    await frameWhere(panels, () => panels.model.state.board.cursor.index === 60, 'sixty down');
    const scrolled = panels.model.state.windows.board;
    expect(scrolled).toBeGreaterThan(0);
    panels.stdin.write('k');
    await frameWhere(panels, () => panels.model.state.board.cursor.index === 59, 'one up');
    expect(panels.model.state.windows.board).toBe(scrolled);
    // The frame starts where the state's window does: the window's first bead is drawn, the one above it not.
    const beadAt = (row: number) => view.board.rows.slice(row).find((r) => r.kind === 'bead');
    const first = beadAt(scrolled);
    const above = view.board.rows.slice(0, scrolled).reverse().find((r) => r.kind === 'bead');
    const frame = panels.lastFrame() ?? '';
    expect(first?.kind === 'bead' && frame.includes(first.bead.id)).toBe(true);
    expect(above?.kind === 'bead' && frame.includes(above.bead.id)).toBe(false);
  });
});
