import { afterEach, describe, expect, it } from 'vitest';
import { json, makeTown, waitFor, type TestTown } from './harness.js';

let town: TestTown | undefined;
afterEach(async () => {
  await town?.dispose();
  town = undefined;
});

describe('the workstation inside a polecat pane', () => {
  it('is refused in one line, as tmux refuses inside $TMUX, and the pane keeps its size', async () => {
    town = await makeTown();
    const t = town;
    const id = (await t.cli(['bead', 'create', 'nest'])).stdout.trim();
    await json(t, ['sling', id, '--polecat', 'nux', '--agent', 'shell']);
    const peek = async (): Promise<string> => (await t.cli(['polecat', 'peek', 'nux'])).stdout;
    await waitFor(async () => (await json<Array<{ status: string }>>(t, ['polecat', 'list']))[0]?.status === 'waiting', 'the shell prompt', { timeoutMs: 30_000 });
    const client = await t.client();
    const before = (await client.request('list')).find((pane) => pane.id.includes('nux'));

    // The polecat's own `citadel` (its shim), with the environment the daemon gave it.
    expect((await t.cli(['nudge', 'nux', 'citadel attach; echo "attach-exit=$?"; citadel; echo "bare-exit=$?"'])).code).toBe(0);
    const screen = await waitFor(async () => {
      const text = await peek();
      return /bare-exit=\d/.test(text) ? text : undefined; // the typed line itself has "bare-exit=$?"
    }, 'both commands to finish in the pane');
    const refusals = screen.split('\n').filter((line) => line.startsWith('citadel: '));
    expect(refusals).toEqual([
      "citadel: not opening the workstation inside polecat nux's pane: unset CITADEL_POLECAT to force it",
      "citadel: not opening the workstation inside polecat nux's pane: unset CITADEL_POLECAT to force it",
    ]);
    expect(screen).toContain('attach-exit=1');
    expect(screen).toContain('bare-exit=1');
    const after = (await client.request('list')).find((pane) => pane.id.includes('nux'));
    expect(after && { cols: after.cols, rows: after.rows }).toEqual(before && { cols: before.cols, rows: before.rows });
  });
});
