import { afterEach, describe, expect, it } from 'vitest';
import { FrameScreen, makeTown, waitFor, type TestTown } from './harness.js';

let town: TestTown | undefined;
afterEach(async () => {
  await town?.dispose();
  town = undefined;
});

async function sizeOf(client: Awaited<ReturnType<TestTown['client']>>, id: string): Promise<string> {
  const pane = (await client.request('list')).find((p) => p.id === id);
  return `${pane?.cols}x${pane?.rows}`;
}

describe('pane sizes with several clients (tmux window-size latest)', () => {
  it('gives a pane back the size of the clients still attached when the latest one detaches', async () => {
    town = await makeTown();
    expect((await town.cli(['daemon', 'start'])).code).toBe(0);
    const big = await town.client('big');
    const small = await town.client('small');
    await big.request('spawn', { id: 'sh', argv: ['sh'], cols: 80, rows: 24 });
    const screen = new FrameScreen();
    await big.subscribe('sh', screen.apply);

    await big.request('resize', { pane: 'sh', cols: 200, rows: 50 });
    expect(await sizeOf(big, 'sh')).toBe('200x50');
    // A small terminal attaches and sizes the pane for itself: the latest client wins.
    await small.request('resize', { pane: 'sh', cols: 45, rows: 12 });
    expect(await sizeOf(big, 'sh')).toBe('45x12');

    // It detaches: the pane takes the size the client still attached asked for, without that client doing anything.
    small.close();
    await waitFor(async () => (await sizeOf(big, 'sh')) === '200x50', 'the pane to take the remaining client’s size');
    // The program sees it too (its pty was resized, not just the screen).
    await big.request('input', { pane: 'sh', data: 'stty size\r' });
    await waitFor(() => screen.has('50 200'), 'stty size to say 50 200');
  });

  it('follows the client that typed last, and keeps the size when no client is left', async () => {
    town = await makeTown();
    expect((await town.cli(['daemon', 'start'])).code).toBe(0);
    const a = await town.client('a');
    const b = await town.client('b');
    await a.request('spawn', { id: 'cat', argv: ['cat'], cols: 80, rows: 24 });
    await a.request('resize', { pane: 'cat', cols: 120, rows: 40 });
    await b.request('resize', { pane: 'cat', cols: 60, rows: 20 });
    expect(await sizeOf(a, 'cat')).toBe('60x20');
    // `a` types: it is the latest client now, and the pane takes the size it asked for.
    await a.request('input', { pane: 'cat', data: 'x' });
    expect(await sizeOf(a, 'cat')).toBe('120x40');
    await b.request('input', { pane: 'cat', data: 'y' });
    expect(await sizeOf(a, 'cat')).toBe('60x20');
    // Both leave: the pane keeps its last size for the next client.
    b.close();
    await waitFor(async () => (await sizeOf(a, 'cat')) === '120x40', 'a’s size after b left');
    a.close();
    const c = await town.client('c');
    expect(await sizeOf(c, 'cat')).toBe('120x40');
  });
});
