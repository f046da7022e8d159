import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gridChromeLines } from '../../../../src/tui/chrome/grid-chrome.js';
import { monochromePalette } from '../../../../src/tui/chrome/palette.js';
import { computeLayout } from '../../../../src/tui/layout/screen-layout.js';
import { readLostPolecats } from '../../../../src/tui/live/lost-polecats.js';
import { overviewLines } from '../../../../src/tui/overview/overview-view.js';
import { stripAnsi } from '../../../../src/tui/render/cells.js';
import { tempDir } from '../../../helpers/temp.js';

const dirs: Array<{ dispose(): void }> = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.dispose();
});

function town(polecats: Record<string, unknown>): string {
  const dir = tempDir();
  dirs.push(dir);
  mkdirSync(join(dir.path, 'polecats'));
  for (const [name, record] of Object.entries(polecats)) {
    writeFileSync(join(dir.path, 'polecats', `${name}.json`), typeof record === 'string' ? record : JSON.stringify(record));
  }
  return dir.path;
}

const record = (name: string, status: string, extra: Record<string, unknown> = {}) => ({ id: name, name, status, bead: null, pid: null, ...extra });

describe('lost polecats (the workstation when no pane runs)', () => {
  it('reads the lost and exited polecats without a pane from their projections, hostile files skipped', () => {
    const root = town({
      nux: record('nux', 'lost', { bead: 'ct-a1' }),
      slit: record('slit', 'exited', { exit_code: 3, released_bead: 'ct-b2' }),
      toast: record('toast', 'working', { pid: 42 }),
      ace: record('ace', 'lost'),
      garbage: '{not json',
      huge: JSON.stringify(record('huge', 'lost', { body: 'x'.repeat(100_000) })),
    });
    symlinkSync(join(root, 'polecats', 'nux.json'), join(root, 'polecats', 'linked.json'));
    const lost = readLostPolecats(root, new Set(['ace']));
    expect(lost).toEqual([
      { name: 'nux', status: 'lost', bead: 'ct-a1', exitCode: undefined },
      { name: 'slit', status: 'exited', bead: 'ct-b2', exitCode: 3 },
    ]);
    expect(readLostPolecats(join(root, 'nowhere'), new Set())).toEqual([]);
  });

  it('says which were lost and how to restart them, instead of "No polecats yet"', () => {
    const layout = computeLayout({ cols: 120, rows: 30, panes: [], panelsWidth: 0 });
    const input = { layout, panes: [], focus: undefined, panesHaveKeyboard: true, zoomed: undefined, copyMode: false, beadTitles: new Map(), programTitles: new Map() };
    const lost = [
      { name: 'nux', status: 'lost' as const, bead: 'ct-a1', exitCode: undefined },
      { name: 'slit', status: 'exited' as const, bead: undefined, exitCode: 3 },
    ];
    const text = gridChromeLines({ ...input, lost }, monochromePalette).map(stripAnsi).join('\n');
    expect(text).not.toContain('No polecats yet');
    expect(text).toContain('No polecat is running: 2 were lost or exited.');
    expect(text).toMatch(/nux\s+lost \(its daemon stopped\)\s+ct-a1/);
    expect(text).toMatch(/slit\s+exited \(code 3\)/);
    expect(text).toContain('citadel polecat restart nux');
    // Without any, the newcomer's hint as before.
    expect(gridChromeLines(input, monochromePalette).map(stripAnsi).join('\n')).toContain('No polecats yet');

    const overview = overviewLines(
      { entries: [], overview: { filter: '', selected: 0, top: 0 }, cols: 120, rows: 10, now: 0, lastLine: () => '', total: 0, prefix: 'C-b', lost },
      monochromePalette,
    );
    expect(stripAnsi(overview[0]!)).toContain('No polecat is running: nux, slit lost or exited — citadel polecat restart nux');
  });
});
