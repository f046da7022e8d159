import { describe, expect, it } from 'vitest';
import { Screen } from '../../../src/daemon/screen.js';

// screen.ts replaces xterm's BufferLine.copyFrom (used when a full scrollback recycles its oldest
// line) with one that keeps the line's empty objects. Recycled lines must still come out exactly
// as written: combining characters and extended underline styles kept where they are, and none
// left over on a line written plainly over a recycled one.
describe('screen line recycling', () => {
  it('keeps combining characters and underline styles through recycled lines, and leaves none behind', () => {
    const screen = new Screen(20, 3, 4);
    const lines: string[] = [];
    for (let i = 0; i < 40; i++) {
      // Every third line has a combining accent (xterm's "combined" cell) and a curly underline
      // (an "extended" attribute); the others are plain, so plain lines reuse recycled ones.
      const text = i % 3 === 0 ? `e\u0301 ${i} \x1b[4:3mwavy\x1b[0m` : `plain ${i}`;
      lines.push(text);
      screen.write(`${text}\r\n`);
    }
    const all = screen.lines(0, screen.length, true).map(([, text]) => text);
    // The scrollback (4) and the screen (3): the last 6 lines written, then the empty cursor row.
    const expected = lines.slice(-6).map((t) => t.replace(/\x1b\[[0-9:;]*m/g, ''));
    expect(all.slice(0, 6)).toEqual(expected);
    const styled = screen.lines(0, screen.length, false).map(([, text]) => text);
    for (let k = 0; k < 6; k++) {
      const i = 40 - 6 + k;
      if (i % 3 === 0) expect(styled[k]).toContain('\x1b[0;4mwavy');
      else expect(styled[k]).not.toContain('\x1b[0;4m');
    }
    screen.dispose();
  });
});
