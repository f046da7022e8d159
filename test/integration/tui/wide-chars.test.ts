import { afterEach, describe, expect, it } from 'vitest';
import { Pane } from '../../../src/daemon/pane.js';
import type { RowFrame } from '../../../src/daemon/protocol.js';
import { loadNodePty } from '../../../src/pty/node-pty.js';
import { computeLayout } from '../../../src/tui/layout/screen-layout.js';
import { textWidth, stripAnsi } from '../../../src/tui/render/cells.js';
import { Compositor } from '../../../src/tui/render/compositor.js';
import { PaneScreen } from '../../../src/tui/render/pane-screen.js';
import { waitFor } from '../../helpers/temp.js';
import { OuterTerminal } from './helpers/outer-terminal.js';

const panes: Pane[] = [];
afterEach(() => {
  for (const pane of panes.splice(0)) pane.dispose();
});

describe('emoji and CJK from a pane to the outer screen', () => {
  it('take two cells in the daemon’s row frame and two cells on the person’s terminal', async () => {
    const layout = computeLayout({ cols: 60, rows: 12, panes: ['w'], panelsWidth: 0 });
    const body = layout.panes[0]!.body;
    const pane = new Pane({ id: 'w', argv: ['printf', 'a🙂b中c⚡d|'], cwd: process.cwd(), env: process.env, cols: body.width, rows: body.height, scrollback: 100, spawnPty: await loadNodePty() });
    panes.push(pane);
    const screen = new PaneScreen('w');
    const frames: RowFrame[] = [];
    pane.subscribe({ frame: (frame) => (frames.push(frame), screen.apply(frame)) });
    await waitFor(() => pane.exit, 'printf to exit');
    await waitFor(() => frames.some((frame) => frame.lines.some(([y, text]) => y === 0 && text.includes('|'))), 'the row with the bar');

    // The row frame: exactly `cols` cells, the bar after 1+2+1+2+1+2+1 = 10 cells.
    const row = [...frames].reverse().find((frame) => frame.lines.some(([y]) => y === 0))!.lines.find(([y]) => y === 0)![1];
    expect(textWidth(stripAnsi(row))).toBe(body.width);
    expect(textWidth(stripAnsi(row).split('|')[0]!)).toBe(10);

    // The outer screen: each wide character in its two cells, the bar at column 10 of the pane.
    const outer = new OuterTerminal(60, 12);
    const compositor = new Compositor({ write: (data) => outer.write(data), onceDrain: () => undefined }, new Map([['w', screen]]), () => undefined);
    compositor.setLayout(layout);
    compositor.flush();
    await outer.settle();
    const line = outer.terminal.buffer.active.getLine(body.y)!;
    const cell = (x: number): [string, number] => {
      const c = line.getCell(body.x + x)!;
      return [c.getChars(), c.getWidth()];
    };
    expect(cell(1)).toEqual(['🙂', 2]);
    expect(cell(4)).toEqual(['中', 2]);
    expect(cell(7)).toEqual(['⚡', 2]);
    expect(cell(10)).toEqual(['|', 1]);
  });
});
