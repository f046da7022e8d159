import { afterEach, describe, expect, it } from 'vitest';
import { smallTown } from '../../../helpers/panels-fixtures.js';
import { waitFor } from '../../../helpers/temp.js';
import { renderCounts } from '../../../../src/tui/panels/render-count.js';
import { frameWhere, renderPanels } from './harness.js';

let cleanup: (() => void) | undefined;
afterEach(() => {
  renderCounts.enabled = false;
  renderCounts.counts.clear();
  cleanup?.();
  cleanup = undefined;
});

/** What rendered, as "name ×n" sorted (readable in a failure). */
const rendered = (): Record<string, number> => Object.fromEntries([...renderCounts.counts].sort(([a], [b]) => a.localeCompare(b)));

describe('what a keystroke re-renders (issue 18)', () => {
  it('a j/k on the board re-renders the board and its two changed rows only: not the inbox, lane, feed or their title bars', async () => {
    const panels = renderPanels(smallTown(), { width: 80, height: 48 });
    cleanup = () => panels.unmount();
    const first = await frameWhere(panels, (f) => f.includes('Ready (2)') && f.includes('Inbox') && f.includes('Activity'), 'every panel drawn');
    expect(first).toContain('Refinery');
    renderCounts.enabled = true;
    for (const [key, id] of [['j', 'ct-a2'], ['j', 'ct-b1'], ['k', 'ct-a2']] as const) {
      renderCounts.counts.clear();
      panels.stdin.write(key);
      await waitFor(() => (panels.model.state.board.cursor.selectedId === id && renderCounts.counts.get('Board') ? true : undefined), `the board drawn with ${id} selected`, { timeoutMs: 5_000, intervalMs: 5 });
      // Let anything else the key would re-render come in too.
      await new Promise((resolve) => setImmediate(resolve));
      expect(rendered(), `after ${key} to ${id}`).toEqual({ Board: 1, BoardLine: 2, 'Panel Board': 1 });
    }
    // Counting is real: the inbox's own key re-renders the inbox.
    renderCounts.counts.clear();
    panels.stdin.write('\t');
    await waitFor(() => (renderCounts.counts.get('Inbox') || renderCounts.counts.get('RefineryLane') ? true : undefined), 'the next panel drawn focused', { timeoutMs: 5_000, intervalMs: 5 });
  });
});
