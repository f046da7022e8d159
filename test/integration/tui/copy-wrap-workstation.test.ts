import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openWorkstation } from './helpers/open-workstation.js';

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('copy mode over a real pane', () => {
  it('yanks a long line the pane wrapped as one line, and finds text that crosses the wrap', async () => {
    // 60 words of 5 cells: 300 cells, wrapped over several rows of the pane, then a real newline.
    const { keys, until, dir } = await openWorkstation(cleanups, {
      cols: 80,
      rows: 20,
      setup: (source) => source.spawn('a', ['/bin/sh', '-c', 'for i in $(seq 1 60); do printf "w%03d " "$i"; done; echo; echo after-line; echo marker-xyz; exec cat']),
    });
    await until('output done', (t) => t.includes('marker-xyz'));
    keys.type('\x02[');
    await until('copy mode', (t) => t.includes('[copy]'));
    const words = Array.from({ length: 60 }, (_, i) => `w${String(i + 1).padStart(3, '0')}`);
    // A query wider than the pane can only match across a wrap point.
    const query = words.slice(20, 40).join(' ');
    keys.type(`?${query}\r`);
    // (Without the join it is "not found", and the selection below starts elsewhere.)
    // From there to the end of after-line: the wrap points join, the real newline stays.
    keys.type(' /after-line\r$\r');
    await until('copied message', (t) => t.includes('copied'));
    expect(readFileSync(join(dir.path, 'copy.txt'), 'utf8')).toBe(`${words.slice(20).join(' ')}\nafter-line`);
  });
});
