import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/temp.js';
import { scriptedWorkstation } from './helpers/scripted-workstation.js';

/**
 * Issue 16's QA: a polecat's `citadel done` merged at once, and an open workstation's lane must
 * show it (it stayed on "no merge requests" while a fresh attach showed "✓ merged"). Run in both
 * of the panels' read modes: through the query index, and in memory (CITADEL_NO_QUERY_INDEX=1).
 */

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function mergedLive(extra: Record<string, string>): Promise<void> {
  const { cli, until } = await scriptedWorkstation(cleanups, extra, 30_000);
  await until('the lane, empty', (t) => t.includes('Refinery') && t.includes('no merge requests'));
  const id = (await cli(['bead', 'create', 'Add a file'])).stdout.trim();
  await until(`the bead ${id} on the board`, (t) => t.includes(id));
  const slung = await cli(['sling', id, '--polecat', 'nux']);
  expect(slung.code, slung.stderr).toBe(0);
  // The refinery merges the request: the journal says so, and the open lane must too.
  const mr = await waitFor(async () => {
    const status = JSON.parse((await cli(['refinery', 'status', '--json'])).stdout) as { recent: Array<{ id: string; state: string }> };
    return status.recent.find((r) => r.state === 'merged')?.id;
  }, 'the request merged (refinery status)', { timeoutMs: 90_000, intervalMs: 200 });
  await until(`the lane shows the merge of ${mr}`, (t) => new RegExp(`✓ merged +${mr}`).test(t), 10_000);
}

describe('the refinery lane follows a merge live (tmux)', () => {
  it('through the query index', async () => {
    await mergedLive({});
  });
  it('in memory (CITADEL_NO_QUERY_INDEX=1)', async () => {
    await mergedLive({ CITADEL_NO_QUERY_INDEX: '1' });
  });
});
