import { describe, expect, it } from 'vitest';
import type { PaneInfo } from '../../../src/daemon/protocol.js';
import { initialWorkstationState, layoutOf, workstationReducer, type WorkstationAction, type WorkstationState } from '../../../src/tui/shell/workstation-state.js';

const pane = (id: string): PaneInfo => ({ id, polecat: id, argv: ['sh'], cols: 80, rows: 24, status: 'working' });
const run = (state: WorkstationState, ...actions: WorkstationAction[]): WorkstationState => actions.reduce(workstationReducer, state);
const four = run(initialWorkstationState(160, 46), { type: 'panes', panes: ['a', 'b', 'c', 'd'].map(pane) });

describe('workstation reducer', () => {
  it('focuses the first pane and keeps the focus while it exists', () => {
    expect(four.focus).toBe('a');
    const state = run(four, { type: 'focus-pane', id: 'c' }, { type: 'panes', panes: ['c', 'd'].map(pane) });
    expect(state.focus).toBe('c');
    expect(run(state, { type: 'panes', panes: [pane('d')] }).focus).toBe('d');
  });

  it('moves focus by direction, by number and in cycle', () => {
    expect(run(four, { type: 'focus-direction', direction: 'right' }).focus).toBe('b');
    expect(run(four, { type: 'focus-direction', direction: 'down' }).focus).toBe('c');
    expect(run(four, { type: 'focus-cycle', delta: -1 }).focus).toBe('d');
  });

  it('puts the panes that would be smaller than 60×10 on further pages; digits and cycling switch pages', () => {
    const ids = Array.from({ length: 20 }, (_, i) => `p${i + 1}`);
    const many = run(initialWorkstationState(160, 46), { type: 'panes', panes: ids.map(pane) });
    const first = layoutOf(many);
    // 160×44 for the grid: two columns of 79, four rows of 11 (a title and ten rows).
    expect(first.pages.map((p) => p.length)).toEqual([8, 8, 4]);
    expect(first.page).toBe(0);
    for (const p of first.panes) {
      expect(p.body.width).toBeGreaterThanOrEqual(60);
      expect(p.body.height).toBeGreaterThanOrEqual(10);
    }
    const second = run(many, { type: 'page-number', n: 2 });
    expect(second.focus).toBe('p9');
    expect(layoutOf(second).page).toBe(1);
    expect(layoutOf(second).panes.map((p) => p.id)).toEqual(ids.slice(8, 16));
    expect(run(many, { type: 'page-number', n: 4 }).message?.text).toBe('no page 4 (3 pages)');
    expect(run(many, { type: 'page-cycle', delta: -1 }).focus).toBe('p17');
    expect(run(second, { type: 'page-cycle', delta: 1 }).focus).toBe('p17');
    // The page follows the focus: cycling panes past a page's last shows the next page.
    expect(layoutOf(run(many, { type: 'focus-pane', id: 'p8' }, { type: 'focus-cycle', delta: 1 })).page).toBe(1);
    // A small terminal still shows one pane, as big as it can be.
    const small = layoutOf(run(many, { type: 'resize', cols: 50, rows: 12 }));
    expect(small.pages).toHaveLength(20);
    expect(small.panes).toHaveLength(1);
  });

  it('zooms a lone pane (alone on its page) to the whole screen, the panels hidden', () => {
    const one = run(initialWorkstationState(160, 46, 50), { type: 'panes', panes: [pane('a')] });
    expect(layoutOf(one).panels?.width).toBe(50);
    const zoomed = run(one, { type: 'zoom' });
    expect(layoutOf(zoomed).panels).toBeUndefined();
    expect(layoutOf(zoomed).panes[0]!.body.width).toBe(160);
    // With several panes on the page, zoom gives the grid and keeps the panels.
    const two = run(initialWorkstationState(200, 46, 50), { type: 'panes', panes: [pane('a'), pane('b')] }, { type: 'zoom' });
    expect(layoutOf(two).panels?.width).toBe(50);
    expect(layoutOf(two).panes[0]!.body.width).toBe(149);
  });

  it('zooms the focused pane and back; the zoom follows focus cycling; a closed pane drops it', () => {
    const zoomed = run(four, { type: 'focus-pane', id: 'b' }, { type: 'zoom' });
    expect(zoomed.zoomed).toBe('b');
    expect(layoutOf(zoomed).panes.map((p) => p.id)).toEqual(['b']);
    expect(run(zoomed, { type: 'focus-cycle', delta: 1 }).zoomed).toBe('c');
    expect(run(zoomed, { type: 'zoom' }).zoomed).toBeUndefined();
    expect(run(zoomed, { type: 'panes', panes: ['a', 'c'].map(pane) }).zoomed).toBeUndefined();
  });

  it('enters and leaves the prefix mode and copy mode', () => {
    expect(run(four, { type: 'prefix' }).mode).toBe('prefix');
    expect(run(four, { type: 'prefix' }, { type: 'mode', mode: 'copy' }).mode).toBe('copy');
  });

  it('re-lays out on resize', () => {
    const state = run(four, { type: 'resize', cols: 80, rows: 24 });
    expect(layoutOf(state).cols).toBe(80);
    expect(layoutOf(run(four, { type: 'resize', cols: 20, rows: 5 })).tooSmall).toBeDefined();
  });
});
