import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { json, makeTown, waitFor, type TestTown } from './harness.js';

let town: TestTown | undefined;
afterEach(async () => {
  await town?.dispose();
  town = undefined;
});

describe('molecule steps released by the witness', () => {
  it('a molecule step whose polecat fails goes back to ready with the release recorded', async () => {
    town = await makeTown();
    const t = town;
    mkdirSync(join(t.root, '.citadel', 'molecules'), { recursive: true });
    writeFileSync(join(t.root, '.citadel', 'molecules', 'trial.md'), '# Trial\n\n## Step: build\nBuild it.\n\n## Step: ship\nNeeds: build\nShip it.\n');
    const poured = (await t.cli(['molecule', 'pour', 'trial', '--label', 'scripted:fail'])).stdout.trim();
    expect(poured).not.toBe('');
    const status = () => json<{ steps: Array<{ id: string; step: string; state: string; holder: string | null; releases: Array<{ holder: string | null; reason: string; by: string }> }> }>(t, ['molecule', 'status', poured]);
    const build = (await status()).steps.find((s) => s.step === 'build')!;
    await json(t, ['sling', build.id, '--polecat', 'nux', '--agent', 'scripted']);

    const released = await waitFor(async () => {
      const step = (await status()).steps.find((s) => s.id === build.id)!;
      return step.releases.length > 0 ? step : undefined;
    }, 'the step released', { timeoutMs: 30_000, intervalMs: 250 });
    expect(released.releases).toEqual([expect.objectContaining({ holder: 'nux', by: 'witness', reason: 'polecat nux exited with code 3' })]);
    expect(released).toMatchObject({ holder: null });
    expect(['ready', 'open']).toContain(released.state);
    const text = (await t.cli(['molecule', 'status', poured])).stdout;
    expect(text).toContain('polecat nux exited with code 3');
  });
});
