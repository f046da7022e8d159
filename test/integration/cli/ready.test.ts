import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bead } from '../../../src/model/index.js';
import { jsonError, makeTown, type TestTown } from './bead-town.js';

const ids = (beads: Bead[]): string[] => beads.map((b) => b.id);

describe('citadel ready', () => {
  let town: TestTown;
  beforeEach(async () => {
    town = await makeTown();
  });
  afterEach(() => town.dispose());

  it('changes as beads are created, claimed and closed', async () => {
    const low = await town.create('Low priority', '--priority', '3');
    const high = await town.create('High priority', '--priority', '0');
    const blocked = await town.create('Waits for high', '--priority', '0', '--needs', high.id);
    expect(ids(await town.json<Bead[]>(['ready']))).toEqual([high.id, low.id]);

    const claimed = await town.json<Bead>(['bead', 'update', high.id, '--claim'], { actor: 'nux' });
    expect(claimed).toMatchObject({ assignee: 'nux', status: 'in_progress' });
    expect(ids(await town.json<Bead[]>(['ready']))).toEqual([low.id]);

    await town.json(['bead', 'close', high.id, '--reason', 'done'], { actor: 'nux' });
    expect(ids(await town.json<Bead[]>(['ready']))).toEqual([blocked.id, low.id]);
    expect(ids(await town.json<Bead[]>(['ready', '--limit', '1']))).toEqual([blocked.id]);

    const text = await town.run(['ready']);
    expect(text.stdout).toMatch(new RegExp(`^${blocked.id}\\s+P0\\s+task\\s+open\\s+Waits for high\\n${low.id}\\s+P3`));
    const bad = await town.run(['ready', '--limit', 'lots', '--json']);
    expect(bad.code).toBe(2);
    expect(jsonError(bad).message).toMatch(/--limit takes a positive whole number/);
  });

  it('lets exactly one of two racing processes claim a bead', async () => {
    const beads = await Promise.all([1, 2, 3].map((n) => town.create(`Contested ${n}`)));
    for (const bead of beads) {
      const [first, second] = await Promise.all([
        town.run(['bead', 'update', bead.id, '--claim', '--json'], { actor: 'nux' }),
        town.run(['bead', 'update', bead.id, '--claim', '--json'], { actor: 'slit' }),
      ]);
      const results = [
        { actor: 'nux', ...first },
        { actor: 'slit', ...second },
      ];
      const winners = results.filter((r) => r.code === 0);
      const losers = results.filter((r) => r.code !== 0);
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      expect(losers[0]!.code).toBe(1);
      expect(jsonError(losers[0]!)).toEqual({ code: 'conflict', message: `${bead.id} is already claimed by ${winners[0]!.actor}: pick another from \`citadel ready\`` });
      const stored = await town.json<Bead>(['bead', 'show', bead.id]);
      expect(stored).toMatchObject({ assignee: winners[0]!.actor, status: 'in_progress' });
    }
  });

  it('gives beads created by parallel processes distinct ids', async () => {
    const made = await Promise.all(Array.from({ length: 6 }, (_, i) => town.create(`Parallel ${i}`)));
    expect(new Set(ids(made)).size).toBe(6);
    expect((await town.json<Bead[]>(['ready'])).length).toBe(6);
  });
});
