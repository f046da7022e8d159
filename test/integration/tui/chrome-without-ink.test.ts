import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/temp.js';
import type { LocalPaneSource } from './helpers/local-source.js';
import { openWorkstation } from './helpers/open-workstation.js';

// The grid's title bars are a pure function of the state: a focus or a program's title change is
// drawn over Ink's last frame without an Ink render (tens of ms of a core, 100+ ms under load,
// during which no frame and no key is handled). And a chrome render that is due waits for the
// echo of a key just sent. Both are seen through the workstation's trace ("chrome ink N ms").

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

async function open(setup: (source: LocalPaneSource) => void, echoHoldMs?: number) {
  const trace: string[] = [];
  const opened = await openWorkstation(cleanups, { setup, options: { echoHoldMs, trace: (line) => trace.push(line) } });
  const inkRenders = (): number => trace.filter((line) => line.startsWith('chrome ink')).length;
  return { ...opened, trace, inkRenders };
}

const sh = (script: string): string[] => ['/bin/sh', '-c', script];

describe('the chrome without Ink', () => {
  it('redraws the title bars for a focus change and a program title without an Ink render', async () => {
    const { until, keys, outer, ws, inkRenders } = await open((s) => {
      s.spawn('a', sh('printf "a-ready\\n"; exec cat'));
      s.spawn('b', sh('printf "b-ready\\n"; read x; printf "\\033]2;title-from-b\\007b-titled\\n"; exec cat'));
    });
    await until('both panes', (t) => t.includes('a-ready') && t.includes('b-ready'));
    await waitFor(() => inkRenders() > 0, 'the first Ink render');
    // Let any render still due (the panes' sizes) happen first.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const renders = inkRenders();
    const [a, b] = ws.snapshot.layout.panes;
    const style = (x: number, y: number) => JSON.stringify({ ...outer.cell(x, y), chars: undefined });
    const focusedStyle = style(a!.tile.x + 3, a!.tile.y);
    const otherStyle = style(b!.tile.x + 3, b!.tile.y);
    expect(focusedStyle).not.toBe(otherStyle);
    keys.type('\x02o');
    await waitFor(() => ws.snapshot.state.focus === 'b', 'focus on b');
    await waitFor(async () => {
      await outer.settle();
      return style(b!.tile.x + 3, b!.tile.y) === focusedStyle && style(a!.tile.x + 3, a!.tile.y) === otherStyle;
    }, 'the focus highlight moved to b');
    keys.type('\r');
    await until('the program title in b’s title bar', (t) => t.includes('b-titled') && t.split('\n')[b!.tile.y]!.includes('title-from-b'));
    expect(inkRenders()).toBe(renders);
  });

  it('holds a chrome render that is due until the echo of the key just sent has been drawn', async () => {
    const { until, keys, source, trace, inkRenders } = await open((s) => {
      // No tty echo: the first output after a key is the program's answer, 300 ms later.
      s.spawn('slow', sh('stty -echo; printf "slow-ready\\n"; while read l; do sleep 0.3; echo "answer-$l"; done'));
    }, 5000);
    await until('the pane', (t) => t.includes('slow-ready'));
    await waitFor(() => inkRenders() > 0, 'the first Ink render');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const from = trace.length;
    keys.type('k\r');
    // A status change: the status bar (Ink) must be drawn again.
    source.setStatus('slow', 'waiting');
    await until('the answer', (t) => t.includes('answer-k'));
    await waitFor(() => inkRenders() > 0 && trace.slice(from).some((line) => line.startsWith('chrome ink')), 'the held render');
    const after = trace.slice(from);
    const answered = after.findIndex((line) => line.startsWith('frame slow'));
    const rendered = after.findIndex((line) => line.startsWith('chrome ink'));
    expect(answered).toBeGreaterThanOrEqual(0);
    expect(rendered).toBeGreaterThan(answered);
  });
});
