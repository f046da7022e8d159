import { afterEach, describe, expect, it } from 'vitest';
import { loadNodePty } from '../../../src/pty/node-pty.js';
import { InputFirst } from '../../../src/daemon/input-first.js';
import { Pane } from '../../../src/daemon/pane.js';
import { waitFor } from '../../helpers/temp.js';

// Input first (src/daemon/input-first.ts): while a key typed into one pane waits for its echo,
// the other panes are neither read nor parsed; they lose nothing, and carry on after the echo
// (or after the hold's limit).

const panes: Pane[] = [];
afterEach(() => {
  for (const pane of panes.splice(0)) pane.dispose();
});

async function open(id: string, argv: string[], inputFirst: InputFirst): Promise<Pane> {
  const spawnPty = await loadNodePty();
  const pane = new Pane({ id, argv, cwd: process.cwd(), env: { ...process.env }, cols: 40, rows: 6, scrollback: 100, spawnPty, inputFirst });
  panes.push(pane);
  pane.subscribe({ frame: () => undefined });
  return pane;
}

const sh = (script: string): string[] => ['/bin/sh', '-c', script];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('input first', () => {
  it('holds the other panes while a key waits for its echo, and lets them go when it comes', async () => {
    const inputFirst = new InputFirst(5000);
    // A pane that prints a counter every 10 ms, and one that answers a line 400 ms after it.
    const ticker = await open('ticker', sh('i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.01; done'), inputFirst);
    const slow = await open('slow', sh('stty -echo; echo slow-ready; while read l; do sleep 0.4; echo "answer-$l"; done'), inputFirst);
    await waitFor(() => slow.screen.text().includes('slow-ready') && ticker.screen.text().includes('tick 5'), 'both started');
    slow.input('k\r');
    expect(inputFirst.holding).toBe(true);
    await sleep(60); // what was read before the hold is parsed in this time
    const held = ticker.screen.text();
    await sleep(200);
    expect(ticker.screen.text()).toBe(held);
    await waitFor(() => slow.screen.text().includes('answer-k'), 'the answer');
    expect(inputFirst.holding).toBe(false);
    await waitFor(() => ticker.screen.text() !== held, 'the ticker goes on');
  });

  it('loses nothing of a flood held again and again, and holds no longer than its limit without an echo', async () => {
    const inputFirst = new InputFirst(30);
    const flood = await open('flood', ['seq', '1', '200000'], inputFirst);
    // A pane that never answers: each key holds the flood for the limit (30 ms).
    const mute = await open('mute', sh('stty -echo; exec cat >/dev/null'), inputFirst);
    let typing = true;
    const typist = (async () => {
      while (typing) {
        mute.input('x');
        await sleep(10);
      }
    })();
    await waitFor(() => flood.exit !== undefined, 'the flood to end', { timeoutMs: 60_000 });
    typing = false;
    await typist;
    expect(flood.screen.text().trim().split('\n').at(-1)).toBe('200000');
  });
});
