import { afterEach, describe, expect, it } from 'vitest';
import { loadNodePty } from '../../../src/pty/node-pty.js';
import { HIGH_WATERMARK } from '../../../src/daemon/flow-control.js';
import { Pane } from '../../../src/daemon/pane.js';
import type { RowFrame } from '../../../src/daemon/protocol.js';
import { waitFor } from '../../helpers/temp.js';

const panes: Pane[] = [];
afterEach(() => {
  for (const pane of panes.splice(0)) pane.dispose();
});

async function open(argv: string[], cols = 40, rows = 6): Promise<{ pane: Pane; frames: RowFrame[] }> {
  const spawnPty = await loadNodePty();
  const pane = new Pane({ id: `p${panes.length}`, argv, cwd: process.cwd(), env: { ...process.env, PS1: '$ ' }, cols, rows, scrollback: 1000, spawnPty });
  panes.push(pane);
  const frames: RowFrame[] = [];
  pane.subscribe({ frame: (frame) => frames.push(frame) });
  return { pane, frames };
}

/** The screen as a client would hold it, rebuilt from the frames received. */
function replay(frames: RowFrame[]): string[] {
  let rows: string[] = [];
  for (const frame of frames) {
    if (frame.full) rows = new Array<string>(frame.rows).fill('');
    for (const [y, text] of frame.lines) rows[y] = text;
  }
  return rows;
}

const visibleWidth = (row: string): number =>
  [...row.replace(/\x1b\[[0-9;]*m/g, '')].reduce((width, ch) => width + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1), 0);

describe('pane host', () => {
  it('encodes 16, 256 and truecolor, styles and wide characters as rows of exactly cols cells', async () => {
    const { pane, frames } = await open([
      'printf',
      '\x1b[31mred\x1b[0m \x1b[1;4mbold\x1b[0m \x1b[38;5;208mo\x1b[48;2;1;2;3mT\x1b[0m \x1b[7minv\x1b[0m 中文!\\n\x1b[2;3mdim\x1b[0m\\n',
    ]);
    await waitFor(() => pane.exit, 'printf to exit');
    await waitFor(() => replay(frames)[1]?.includes('dim'), 'the second row');
    const rows = replay(frames);
    expect(rows[0]).toBe(
      '\x1b[0m\x1b[0;31mred\x1b[0m \x1b[0;1;4mbold\x1b[0m \x1b[0;38;5;208mo\x1b[0;38;5;208;48;2;1;2;3mT\x1b[0m \x1b[0;7minv\x1b[0m 中文!' +
        ' '.repeat(40 - 21) +
        '\x1b[0m',
    );
    expect(rows[1]).toBe(`\x1b[0m\x1b[0;2;3mdim\x1b[0m${' '.repeat(37)}\x1b[0m`);
    for (const row of rows) expect(visibleWidth(row)).toBe(40);
    expect(pane.exit?.exitCode).toBe(0);
  });

  it('sends only the rows that changed, with the cursor', async () => {
    const { pane, frames } = await open(['cat']);
    pane.input('hello\r');
    await waitFor(() => replay(frames)[1]?.includes('hello'), 'the echo and the copy');
    const last = frames[frames.length - 1]!;
    expect(last.full).toBe(false);
    expect(last.lines.length).toBeLessThan(6);
    expect(last.cursor).toEqual({ x: 0, y: 2, visible: true });
  });

  it('reports the alternate screen and cursor visibility', async () => {
    const { pane, frames } = await open(['sh', '-c', 'printf "\\033[?1049h\\033[?25lalt"; read x']);
    await waitFor(() => frames.some((f) => f.altScreen && !f.cursor.visible && replay(frames)[0]?.includes('alt')), 'the alt screen');
    pane.input('\r');
    await waitFor(() => pane.exit, 'exit');
  });

  it('reports the key modes the program sets (application cursor keys, bracketed paste)', async () => {
    const { pane, frames } = await open(['sh', '-c', 'printf "\\033[?1h\\033[?2004hon"; read x; printf "\\033[?1l\\033[?2004loff"; read y']);
    expect(frames[0]!.modes).toEqual({ applicationCursor: false, bracketedPaste: false });
    await waitFor(() => replay(frames)[0]?.includes('on'), 'the modes set');
    expect(frames[frames.length - 1]!.modes).toEqual({ applicationCursor: true, bracketedPaste: true });
    expect(pane.fullFrame().modes).toEqual({ applicationCursor: true, bracketedPaste: true });
    pane.input('\r');
    await waitFor(() => replay(frames).some((row) => row.includes('off')), 'the modes reset');
    expect(frames[frames.length - 1]!.modes).toEqual({ applicationCursor: false, bracketedPaste: false });
    pane.input('\r');
    await waitFor(() => pane.exit, 'exit');
  });

  it('keeps the tail of a fast producer through flow control, and keeps memory bounded', async () => {
    const { pane, frames } = await open(['seq', '1', '300000']);
    await waitFor(() => pane.exit, 'seq to finish', { timeoutMs: 30_000 });
    await waitFor(() => replay(frames).some((row) => row.includes('300000')), 'the last line on screen');
    expect(pane.screen.length).toBeLessThanOrEqual(1000 + 6);
    expect(pane.unparsed).toBe(0);
  });

  it('answers in one pane while another floods its own with `yes`', async () => {
    const flood = await open(['yes', 'citadel flood']);
    const echo = await open(['cat']);
    const rssBefore = process.memoryUsage().rss;
    const until = Date.now() + 3000;
    let round = 0;
    while (Date.now() < until) {
      const word = `ping${round++}`;
      echo.pane.input(`${word}\r`);
      await waitFor(() => replay(echo.frames).some((row) => row.includes(word)), `the echo of ${word}`, { timeoutMs: 5000 });
      expect(flood.pane.unparsed).toBeLessThan(HIGH_WATERMARK + 100_000);
    }
    expect(round).toBeGreaterThan(5);
    expect(flood.pane.screen.length).toBeLessThanOrEqual(1006);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(150 * 2 ** 20);
  });
});
