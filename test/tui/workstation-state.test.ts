import { describe, expect, it } from 'vitest';
import type { PaneInfo } from '../../src/daemon/protocol.js';
import { initialWorkstationState, layoutOf, workstationReducer, type WorkstationAction, type WorkstationState } from '../../src/tui/shell/workstation-state.js';

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
    expect(run(four, { type: 'focus-number', n: 4 }).focus).toBe('d');
    expect(run(four, { type: 'focus-number', n: 9 }).message?.kind).toBe('error');
    expect(run(four, { type: 'focus-cycle', delta: -1 }).focus).toBe('d');
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
