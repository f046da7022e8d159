import { describe, expect, it } from 'vitest';
import type { RowFrame } from '../../../src/daemon/protocol.js';
import { computeLayout } from '../../../src/tui/layout/screen-layout.js';
import { BEGIN_SYNC, END_SYNC } from '../../../src/tui/render/ansi.js';
import { Compositor } from '../../../src/tui/render/compositor.js';
import { PaneScreen } from '../../../src/tui/render/pane-screen.js';
import { OuterTerminal } from './helpers/outer-terminal.js';

const row = (text: string, cols: number): string => `\x1b[0m${text.padEnd(cols)}\x1b[0m`;

function setup() {
  const layout = computeLayout({ cols: 60, rows: 12, panes: ['a', 'b'], panelsWidth: 0 });
  const outer = new OuterTerminal(60, 12);
  const writes: string[] = [];
  const screens = new Map([['a', new PaneScreen('a')], ['b', new PaneScreen('b')]]);
  const compositor = new Compositor({ write: (d) => (writes.push(d), outer.write(d)), onceDrain: () => undefined }, screens, () => undefined);
  compositor.setLayout(layout);
  const frame = (pane: string, lines: Array<[number, string]>, full = false, cursor = { x: 0, y: 0, visible: true }): void => {
    const body = layout.panes.find((p) => p.id === pane)!.body;
    const f: RowFrame = { t: 'frame', pane, cols: body.width, rows: body.height, full, lines: lines.map(([i, t]) => [i, row(t, body.width)]), cursor, altScreen: false };
    screens.get(pane)!.apply(f);
  };
  const chrome = Array.from({ length: 11 }, (_, i) => (i === 0 ? 'TITLE-A'.padEnd(30) + '│' + 'TITLE-B'.padEnd(29) : ' '.repeat(30) + '│')).join('\n');
  return { layout, outer, writes, screens, compositor, frame, chrome };
}

describe('Compositor', () => {
  it('does not erase after a row that fills the last column (the erase would clear that cell: a box lost its right edge)', () => {
    const { writes, compositor, chrome } = setup();
    const full = chrome.split('\n');
    full[1] = `╭${'─'.repeat(58)}╮`;
    compositor.setChrome(full.join('\n'));
    compositor.setMessage('m'.repeat(60));
    compositor.flush();
    const out = writes.join('');
    expect(out).toContain('╮\x1b[0m');
    expect(out).not.toContain('╮\x1b[0m\x1b[K');
    expect(out).not.toContain(`${'m'.repeat(60)}\x1b[0m\x1b[K`);
    // A shorter row is still erased to its end.
    expect(out).toContain('│\x1b[0m\x1b[K');
    expect(out).not.toContain('TITLE-B'.padEnd(29) + '\x1b[0m\x1b[K');
  });

  it('lays pane rows over the chrome inside synchronized-output brackets', async () => {
    const { outer, writes, compositor, frame, chrome, layout } = setup();
    frame('a', [[0, 'alpha'], [1, 'second']], true);
    frame('b', [[0, 'beta']], true);
    compositor.setChrome(chrome);
    compositor.setMessage('hello message');
    compositor.flush();
    await outer.settle();
    expect(writes).toHaveLength(1);
    expect(writes[0]!.startsWith(BEGIN_SYNC)).toBe(true);
    expect(writes[0]!.endsWith(END_SYNC)).toBe(true);
    const lines = outer.lines();
    expect(lines[0]).toBe(`${'TITLE-A'.padEnd(30)}│TITLE-B`);
    expect(lines[1]).toBe(`${'alpha'.padEnd(30)}│beta`);
    expect(lines[2]).toBe(`second${' '.repeat(24)}│`);
    expect(lines[11]).toBe('hello message');
    expect(layout.panes[1]!.body.x).toBe(31);
  });

  it('then writes only the rows that changed, and nothing when nothing did', async () => {
    const { outer, writes, compositor, frame, chrome } = setup();
    frame('a', [[0, 'alpha']], true);
    frame('b', [[0, 'beta']], true);
    compositor.setChrome(chrome);
    compositor.flush();
    frame('b', [[3, 'changed']]);
    compositor.flush();
    const second = writes[1]!;
    // One cursor-addressed row (pane b's row 3, at column 32), nothing else.
    expect(second.match(/\x1b\[\d+;\d+H/g)).toEqual(['\x1b[5;32H']);
    expect(second).not.toContain('alpha');
    expect(compositor.flush()).toBe(0);
    await outer.settle();
    expect(outer.lines()[4]).toBe(`${' '.repeat(30)}│changed`);
  });

  it('puts the terminal cursor on the focused pane’s cursor, hidden when the program hides it', async () => {
    const { outer, compositor, frame, chrome } = setup();
    frame('a', [[0, 'x']], true, { x: 3, y: 2, visible: true });
    frame('b', [[0, 'y']], true, { x: 1, y: 1, visible: false });
    compositor.setChrome(chrome);
    compositor.setCursorPane('a');
    compositor.flush();
    await outer.settle();
    expect(outer.cursor()).toEqual({ x: 3, y: 3 });
    expect(compositor.isCursorHidden).toBe(false);
    compositor.setCursorPane('b');
    compositor.flush();
    expect(compositor.isCursorHidden).toBe(true);
  });

  it('clips panes whose frame is wider than their rectangle and keeps overlays uncovered', async () => {
    const { outer, compositor, screens, chrome } = setup();
    screens.get('a')!.apply({ t: 'frame', pane: 'a', cols: 40, rows: 2, full: true, lines: [[0, row('0123456789'.repeat(4), 40)]], cursor: { x: 0, y: 0, visible: false }, altScreen: false });
    compositor.setChrome(chrome);
    compositor.setOccluders([{ x: 5, y: 1, width: 3, height: 1 }]);
    compositor.flush();
    await outer.settle();
    expect(outer.lines()[1]).toBe(`01234   89012345678901234567890123456789`.slice(0, 30) + '│');
  });

  it('waits for the terminal to drain instead of queueing frames', () => {
    const layout = computeLayout({ cols: 60, rows: 12, panes: ['a'], panelsWidth: 0 });
    let drain: (() => void) | undefined;
    const scheduled: Array<() => void> = [];
    const screens = new Map([['a', new PaneScreen('a')]]);
    const compositor = new Compositor({ write: () => false, onceDrain: (l) => (drain = l) }, screens, (cb) => scheduled.push(cb));
    compositor.setLayout(layout);
    scheduled.shift()!();
    expect(drain).toBeDefined();
    compositor.request();
    expect(scheduled).toHaveLength(0);
    drain!();
    expect(scheduled).toHaveLength(1);
  });
});
