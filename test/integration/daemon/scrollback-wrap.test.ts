import { afterEach, describe, expect, it } from 'vitest';
import { makeTown, waitFor, type TestTown } from './harness.js';

let town: TestTown | undefined;
afterEach(async () => {
  await town?.dispose();
  town = undefined;
});

describe('scrollback wrap flags', () => {
  it('marks the rows a long line wrapped onto, and not the rows after a newline', async () => {
    town = await makeTown();
    const started = await town.cli(['daemon', 'start', '--json']);
    expect(started.code, started.stderr).toBe(0);
    const client = await town.client();
    // 50 characters in a 20-column pane: three rows, the second and third continuing the first.
    const long = 'A'.repeat(20) + 'B'.repeat(20) + 'C'.repeat(10);
    await client.request('spawn', { id: 'wrap', argv: ['sh', '-c', `printf '%s\\nshort\\nend-mark\\n' ${long}; exec cat`], cols: 20, rows: 6 });
    let result = await client.request('scrollback', { pane: 'wrap', plain: true });
    await waitFor(async () => {
      result = await client.request('scrollback', { pane: 'wrap', plain: true });
      return result.lines.some(([, text]) => text === 'end-mark');
    }, 'the output in the pane');
    const at = (text: string): number => result.lines.find(([, t]) => t === text)![0];
    const first = at('A'.repeat(20));
    expect(result.lines.map(([, text]) => text).slice(first, first + 4)).toEqual(['A'.repeat(20), 'B'.repeat(20), 'C'.repeat(10), 'short']);
    expect(result.wrapped).toEqual([first + 1, first + 2]);

    // More lines than the screen holds: the wrapped rows scroll into the scrollback and keep their flags.
    await client.request('input', { pane: 'wrap', data: '1\r2\r3\r4\r5\r6\r7\r' });
    await waitFor(async () => {
      result = await client.request('scrollback', { pane: 'wrap', plain: true });
      return result.baseY > first + 2 && result.lines.filter(([, text]) => text === '7').length === 2;
    }, 'the long line to scroll off the screen');
    expect(result.wrapped).toEqual([first + 1, first + 2]);
    // A window of the buffer reports only its own lines.
    const window = await client.request('scrollback', { pane: 'wrap', plain: true, from: first + 2, count: 2 });
    expect(window.wrapped).toEqual([first + 2]);
  });
});
