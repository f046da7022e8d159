import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { beadProvenance, drawnElsewhere, type Provenance } from '../../../../src/federation/provenance.js';
import { KeyParser } from '../../../../src/tui/keys/key-parser.js';
import { PanelsColumn } from '../../../../src/tui/panels/PanelsColumn.js';
import { usePanels, type PanelsModel } from '../../../../src/tui/panels/use-panels.js';
import { defaultTheme } from '../../../../src/tui/theme/theme.js';
import { waitFor } from '../../../helpers/temp.js';
import { bead, smallTown } from '../../../helpers/panels-fixtures.js';

/** What came from where in the panels (issue 19): the board's marker for ids drawn elsewhere, the details' town line. */

const HERE = 'k3x9ab12cd34';
const THERE = 'zq7ee0f1g2h3';
const NOW = Date.parse('2026-11-01T10:10:00Z');
const clock = (ms: number): string => `${String(ms).padStart(16, '0')}.000000`;

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

describe('provenance in the panels', () => {
  it('marks beads drawn in another town on the board without moving the columns, and the open bead’s details say where it came from (read for that bead only)', async () => {
    const snapshot = smallTown({
      beads: [
        bead('ct-a1', { title: 'Fix the login', priority: 1 }),
        bead('ct-zq7b2', { title: 'Made over there', priority: 2 }),
        bead('ct-a3', { title: 'Write the docs', priority: 3 }),
      ],
    });
    const tags = new Set(['zq7']);
    const asked: string[] = [];
    const meta = { id: 'ct-zq7b2', f: { id: ['h', `${clock(NOW - 3_600_000)}@${THERE}`], priority: ['h', `${clock(NOW - 120_000)}@${HERE}`] } };
    const provenance = (id: string): Provenance | undefined => {
      asked.push(id);
      return id === 'ct-zq7b2' ? beadProvenance(meta, { id: 'self', town: HERE, tag: 'k3x' }) : undefined;
    };
    let model: PanelsModel | undefined;
    function App() {
      const t = usePanels({ snapshot, onCommand: async () => {}, pageRows: 5, height: 30 });
      model = t;
      return <PanelsColumn model={t} width={70} height={30} active theme={defaultTheme('none')} now={NOW} provenance={provenance} elsewhere={(id) => drawnElsewhere(id, tags)} />;
    }
    const rendered = render(<App />);
    cleanup = rendered.unmount;
    const frame = rendered.lastFrame() ?? '';
    const lineWith = (text: string): string => frame.split('\n').find((l) => l.includes(text)) ?? '';
    expect(lineWith('ct-zq7b2')).toMatch(/ct-zq7b2 ↓ task/);
    expect(lineWith('ct-a1')).not.toContain('↓');
    // The type and title columns stay aligned across marked and unmarked rows.
    const col = (text: string, word: string): number => lineWith(text).indexOf(word);
    expect(col('ct-a1', 'task')).toBe(col('ct-zq7b2', 'task'));
    expect(col('ct-a1', 'Fix the login')).toBe(col('ct-zq7b2', 'Made over there'));
    expect(col('ct-a3', 'Write the docs')).toBe(col('ct-zq7b2', 'Made over there'));
    expect(asked).toEqual([]); // the board reads no meta entity

    // Open the second bead's details (P2, after the P1 one).
    const parser = new KeyParser();
    for (const key of parser.feed('j\r')) model!.onKey(key.name, key.raw);
    const details = await waitFor(() => {
      const f = rendered.lastFrame() ?? '';
      return f.includes('Bead ct-zq7b2') ? f : undefined;
    }, 'the details of ct-zq7b2', { timeoutMs: 5_000, intervalMs: 5 });
    expect(details).toMatch(new RegExp(`town\\s+from town ${THERE} · last change here, 2m ago`));
    expect([...new Set(asked)]).toEqual(['ct-zq7b2']);
  });

  it('a bead of this town alone shows no town line', async () => {
    const snapshot = smallTown();
    let model: PanelsModel | undefined;
    function App() {
      const t = usePanels({ snapshot, onCommand: async () => {}, pageRows: 5, height: 30 });
      model = t;
      return <PanelsColumn model={t} width={70} height={30} active theme={defaultTheme('none')} now={NOW} provenance={() => undefined} />;
    }
    const rendered = render(<App />);
    cleanup = rendered.unmount;
    for (const key of new KeyParser().feed('\r')) model!.onKey(key.name, key.raw);
    const details = await waitFor(() => {
      const f = rendered.lastFrame() ?? '';
      return f.includes('Bead ct-a1') ? f : undefined;
    }, 'the details of ct-a1', { timeoutMs: 5_000, intervalMs: 5 });
    expect(details).not.toMatch(/town\s+(from|made)/);
    expect(details).not.toContain('↓');
  });
});
