import { join } from 'node:path';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { json, makeTown, waitFor, type TestTown } from './harness.js';

let town: TestTown | undefined;
afterEach(async () => {
  await town?.dispose();
  town = undefined;
});

interface Row {
  name: string;
  status: string;
}

describe('witness thresholds from the town config', () => {
  it('the witness thresholds come from the town config (idleSeconds), validated', async () => {
    town = await makeTown();
    const t = town;
    const config = join(t.root, '.citadel', 'config.json');
    const current = existsSync(config) ? (JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>) : {};
    writeFileSync(config, JSON.stringify({ ...current, idleSeconds: 0 }));
    const refused = await t.cli(['polecat', 'list']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/"idleSeconds" must be a positive integer/);
    writeFileSync(config, JSON.stringify({ ...current, idleSeconds: 120, stuckMinutes: 1 }));
    expect((await t.cli(['polecat', 'list'])).stderr).toMatch(/"stuckMinutes" \(1 min\) must not be shorter than "idleSeconds" \(120 s\)/);

    // Idle after 1 s of quiet instead of 15 s.
    writeFileSync(config, JSON.stringify({ ...current, idleSeconds: 1, stuckMinutes: 1 }));
    const id = (await json<{ id: string }>(t, ['bead', 'create', 'sit quietly'])).id;
    const slung = await t.cli(['sling', id, '--polecat', 'zed', '--', 'sleep', '600']);
    expect(slung.code, slung.stderr).toBe(0);
    await waitFor(async () => (await json<Row[]>(t, ['polecat', 'list'])).find((r) => r.name === 'zed')?.status === 'idle', 'the quiet polecat to read as idle', { timeoutMs: 8_000, intervalMs: 250 });
  });
});
