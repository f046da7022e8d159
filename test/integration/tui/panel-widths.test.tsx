import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { Line } from '../../../src/tui/panels/Line.js';
import { wrapText } from '../../../src/tui/panels/wrap-text.js';
import { cutCells, fitCells, lastCells, padCells, textWidth } from '../../../src/tui/render/cells.js';
import { defaultTheme } from '../../../src/tui/theme/theme.js';
import { bead, smallTown } from '../../helpers/panels-fixtures.js';
import { frameWhere, renderPanels } from './panels/harness.js';

/** The panels count terminal cells (CJK and emoji take two), with the compositor's own table. */

const theme = defaultTheme('none');
let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

describe('panel text widths, in cells', () => {
  it('cuts, fits and pads by cells, never splitting a wide character', () => {
    expect(textWidth('修复登录')).toBe(8);
    expect(cutCells('修复登录', 5)).toBe('修复');
    expect(fitCells('修复登录 bug', 7)).toBe('修复登…');
    expect(fitCells('修复', 4)).toBe('修复');
    expect(lastCells('ab修复', 5)).toBe('b修复');
    expect(padCells('🚀x', 5)).toBe('🚀x  ');
  });

  it('wraps a body by cells', () => {
    const lines = wrapText('登录 失败 登录失败登录失败', 6);
    for (const line of lines) expect(textWidth(line)).toBeLessThanOrEqual(6);
    expect(lines.join('')).toBe('登录失败登录失败登录失败');
  });

  it('draws a row no wider than its width when a title is CJK', () => {
    const { lastFrame, unmount } = render(<Line width={10} theme={theme} selected segments={[{ text: '修复登录页面' }, { text: ' tail' }]} />);
    cleanup = unmount;
    const row = (lastFrame() ?? '').trimEnd();
    expect(row).toBe('修复登录…');
    expect(textWidth(row)).toBe(9); // and a space: the 10th cell cannot hold half a character
  });

  it('keeps the board’s columns aligned past a CJK title', async () => {
    const town = smallTown();
    const panels = renderPanels({ ...town, beads: [bead('ct-w1', { title: '修复登录页面的错误'.repeat(6), priority: 1 }), bead('ct-w2', { title: 'Fix the login page', priority: 1 })] }, { width: 60 });
    cleanup = panels.unmount;
    const frame = await frameWhere(panels, (f) => f.includes('ct-w1') && f.includes('ct-w2'), 'both beads');
    const rows = frame.split('\n').filter((l) => l.includes('ct-w1') || l.includes('ct-w2'));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('…');
    // Every row of the panel ends at the same cell: its right border.
    expect(new Set(rows.map((r) => textWidth(r))).size).toBe(1);
  });
});
