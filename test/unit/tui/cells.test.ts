import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { charWidth, sliceCells, stripAnsi, textWidth } from '../../../src/tui/render/cells.js';

describe('cells', () => {
  it('counts wide characters as two cells and combining marks as none', () => {
    expect(textWidth('abc')).toBe(3);
    expect(textWidth('漢字')).toBe(4);
    expect(textWidth('🙂')).toBe(2);
    expect(textWidth('e\u0301')).toBe(1);
    expect(charWidth(0x1b)).toBe(0);
  });

  it('slices a styled row by cells, keeping the styles in force', () => {
    const row = '\x1b[0m\x1b[0;31mred\x1b[0;32mgreen\x1b[0m';
    const slice = sliceCells(row, 2, 4);
    expect(stripAnsi(slice)).toBe('dgre');
    expect(slice.startsWith('\x1b[0m\x1b[0;31m')).toBe(true);
    expect(slice).toContain('\x1b[0;32m');
  });

  it('pads a short row with unstyled blanks and always returns exactly the width', () => {
    const slice = sliceCells('\x1b[41mab', 0, 5);
    expect(stripAnsi(slice)).toBe('ab   ');
    expect(slice.indexOf('\x1b[0m')).toBeLessThan(slice.indexOf('   '));
  });

  it('turns a wide character cut at either edge into a blank', () => {
    expect(stripAnsi(sliceCells('a漢b', 0, 2))).toBe('a ');
    expect(stripAnsi(sliceCells('a漢b', 2, 2))).toBe(' b');
    expect(textWidth(stripAnsi(sliceCells('漢漢漢', 1, 3)))).toBe(3);
  });
});

describe('cell widths agree with the daemon’s screens', () => {
  it('gives every code point the width @xterm/headless gives it with Unicode 11 widths', () => {
    const require = createRequire(import.meta.url);
    const { Terminal } = require('@xterm/headless') as { Terminal: new (options: object) => XtermWithWidths };
    const { Unicode11Addon } = require('@xterm/addon-unicode11') as { Unicode11Addon: new () => object };
    const terminal = new Terminal({ allowProposedApi: true });
    terminal.loadAddon(new Unicode11Addon());
    terminal.unicode.activeVersion = '11';
    const xterm = terminal._core.unicodeService;
    const disagreements: string[] = [];
    for (let codePoint = 0; codePoint < 0x110000; codePoint++) {
      if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue;
      const expected = xterm.wcwidth(codePoint);
      if (charWidth(codePoint) !== expected && disagreements.length < 10) disagreements.push(`U+${codePoint.toString(16)}: xterm ${expected}`);
    }
    expect(disagreements).toEqual([]);
    expect(charWidth(0x1f642)).toBe(2); // 🙂
    expect(charWidth(0x4e2d)).toBe(2); // 中
    terminal.dispose();
  });
});

interface XtermWithWidths {
  loadAddon(addon: object): void;
  unicode: { activeVersion: string };
  _core: { unicodeService: { wcwidth(codePoint: number): number } };
  dispose(): void;
}
