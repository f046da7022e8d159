import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/temp.js';
import { Tmux } from './helpers/tmux.js';
import { citadelCommand, makeTown } from './helpers/town.js';

/**
 * Copy mode over a long line the pane wrapped, as a tmux user types it (issue 16): the line is
 * one line to the motions. `0` goes to its first row, `v$y` copies all of it with no newline at
 * the wraps, and `w` goes on across a wrap, so the 120th press lands on the 121st word even
 * where the pane cut a word in two.
 */
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('copy mode over a wrapped line (tmux)', () => {
  it('moves and selects over the whole line, as tmux does', async () => {
    const town = await makeTown();
    const tmux = new Tmux();
    cleanups.push(() => town.dispose(), () => tmux.kill());
    // Words of 2 to 4 characters: whatever the pane's width, the wraps cut some of them.
    const words = Array.from({ length: 130 }, (_, i) => `w${i + 1}`);
    const long = words.join(' ');
    const script = `process.stdout.write(${JSON.stringify(`${long}\r\nEND\r\n`)}); setInterval(() => {}, 1e9)`;
    await town.spawn('nux', [process.execPath, '-e', script]);
    tmux.newSession('ws', 160, 40, citadelCommand(town.path));
    const screen = (): string => tmux.text('ws');
    const until = (what: string, check: (text: string) => boolean) =>
      waitFor(() => (check(screen()) ? true : undefined), `${what}; screen:\n${screen()}`, { timeoutMs: 30_000, intervalMs: 50 });
    await until('the pane with its long line', (t) => /1 nux/.test(t) && t.includes('END') && t.includes('w130'));
    // The panes are sized for this terminal 100 ms after the first frame; let the reflow land.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const buffer = join(town.path, '.citadel', 'run', 'copy-buffer.txt');
    const copied = async (keys: string[][]): Promise<string> => {
      const before = existsSync(buffer) ? readFileSync(buffer, 'utf8') : undefined;
      tmux.send('ws', ['C-b', '[']);
      await until('copy mode', (t) => t.includes('[copy]'));
      for (const key of keys) tmux.send('ws', key);
      let text = '';
      await waitFor(
        () => {
          if (!existsSync(buffer)) return undefined;
          text = readFileSync(buffer, 'utf8');
          return text !== before && !screen().includes('[copy]') ? true : undefined;
        },
        'the copy',
        { timeoutMs: 20_000, intervalMs: 50 },
      );
      return text;
    };
    // The cursor starts below END: up twice is the long line's last row.
    expect(await copied([['k'], ['k'], ['0'], ['v'], ['$'], ['y']])).toBe(long);
    // From the line's start, 120 words on is w121 (a word the wrap cut is still one word).
    expect(await copied([['k'], ['k'], ['0'], ['-N', '120', 'w'], ['v'], ['e'], ['y']])).toBe('w121');
  });
});
