import { describe, expect, it } from 'vitest';
import { FEED_CHUNK, IMMEDIATE_LIMIT, ParseTurns, ScreenFeeder } from '../../../src/daemon/screen-feeder.js';
import type { Screen } from '../../../src/daemon/screen.js';
import { waitFor } from '../../helpers/temp.js';

/** A screen that records what it was given, in order, with a fake clock advanced per write. */
function recorder(clock: { now: number }, costMs: number) {
  const writes: string[] = [];
  const screen = { write: (data: string) => (writes.push(data), (clock.now += costMs)) } as unknown as Screen;
  return { writes, screen };
}

describe('ScreenFeeder', () => {
  it('parses a small write to an idle screen at once, and a big one in pieces over several turns', async () => {
    const clock = { now: 0 };
    const turns = new ParseTurns(4, () => clock.now);
    const { writes, screen } = recorder(clock, 1);
    let parsed = 0;
    const feeder = new ScreenFeeder(screen, (size) => (parsed += size), turns);
    feeder.push('echo');
    expect(writes).toEqual(['echo']);
    const big = 'x'.repeat(FEED_CHUNK * 10 + 5);
    feeder.push(big);
    expect(feeder.backlog).toBe(big.length);
    let drained = false;
    feeder.whenDrained(() => (drained = true));
    await new Promise((resolve) => setImmediate(resolve));
    // One turn: four pieces at 1 ms each, then it yields.
    expect(writes.length).toBe(1 + 4);
    await waitFor(() => drained, 'the backlog parsed');
    expect(writes.slice(1).join('')).toBe(big);
    expect(parsed).toBe(4 + big.length);
    expect(Math.max(...writes.map((w) => w.length))).toBe(FEED_CHUNK);
    feeder.dispose();
  });

  it('shares each turn between busy panes and keeps each pane’s order', async () => {
    const clock = { now: 0 };
    const turns = new ParseTurns(4, () => clock.now);
    const a = recorder(clock, 1);
    const b = recorder(clock, 1);
    const feederA = new ScreenFeeder(a.screen, () => undefined, turns);
    const feederB = new ScreenFeeder(b.screen, () => undefined, turns);
    const textA = Array.from({ length: 200 }, (_, i) => `a${i};`).join('').repeat(200);
    const textB = 'b'.repeat(IMMEDIATE_LIMIT + 1);
    feederA.push(textA);
    feederB.push(textB);
    await new Promise((resolve) => setImmediate(resolve));
    // B's small backlog was parsed in the first turn, beside A's pieces, not after all of A.
    expect(b.writes.join('')).toBe(textB);
    expect(a.writes.length).toBeLessThan(4);
    await waitFor(() => feederA.backlog === 0, 'A parsed');
    expect(a.writes.join('')).toBe(textA);
  });

  it('parses the pane typed into first in every turn, in its own order', async () => {
    const clock = { now: 0 };
    const turns = new ParseTurns(2, () => clock.now);
    const order: string[] = [];
    const make = (name: string) => new ScreenFeeder({ write: (data: string) => (order.push(`${name}${data.length}`), (clock.now += 1)) } as unknown as Screen, () => undefined, turns);
    const [a, b, c] = [make('a'), make('b'), make('c')];
    for (const feeder of [a, b, c]) feeder.push('x'.repeat(FEED_CHUNK * 3));
    c.prioritize();
    await new Promise((resolve) => setImmediate(resolve));
    // Two pieces a turn: the typed-into pane's first, though it was added last.
    expect(order[0]).toBe(`c${FEED_CHUNK}`);
    await waitFor(() => a.backlog + b.backlog + c.backlog === 0, 'all parsed');
    expect(order.filter((w) => w.startsWith('c')).length).toBe(3);
    expect(order.indexOf(`c${FEED_CHUNK}`)).toBe(0);
    // c finished before a and b, which kept their round-robin.
    expect(order.lastIndexOf(`c${FEED_CHUNK}`)).toBeLessThan(order.lastIndexOf(`a${FEED_CHUNK}`));
  });

  it('never splits a surrogate pair between two pieces', async () => {
    const clock = { now: 0 };
    const turns = new ParseTurns(4, () => clock.now);
    const { writes, screen } = recorder(clock, 0.1);
    const feeder = new ScreenFeeder(screen, () => undefined, turns);
    const text = 'a' + '🙂'.repeat(FEED_CHUNK);
    feeder.push(text);
    await waitFor(() => feeder.backlog === 0, 'parsed');
    for (const piece of writes) expect(/[\ud800-\udbff]$/.test(piece)).toBe(false);
    expect(writes.join('')).toBe(text);
  });
});
