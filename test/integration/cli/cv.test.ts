import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cv } from '../../../src/model/index.js';
import { makeTown, type TestTown } from './bead-town.js';

describe('citadel cv', () => {
  let town: TestTown;
  beforeAll(async () => {
    town = await makeTown();
  });
  afterAll(() => town.dispose());

  it('shows an actor’s work history from the journal, as text and JSON', async () => {
    const a = await town.create('Parser', '--label', 'parsing');
    const b = await town.create('Docs', '--label', 'docs');
    await town.create('Found a bug', '--type', 'bug');
    for (const bead of [a, b]) await town.json(['bead', 'update', bead.id, '--claim'], { actor: 'nux' });
    await town.json(['bead', 'close', a.id], { actor: 'nux' });
    await town.json(['mail', 'send', '--to', 'overseer', '--subject', 'parser done'], { actor: 'nux' });

    const cv = await town.json<Cv>(['cv', 'nux']);
    expect(cv).toMatchObject({ actor: 'nux', created: 0, claimed: 2, closed: 1, mail_sent: 1, acceptance_rate: null, skills: [{ label: 'parsing', count: 1 }] });
    expect(cv.median_claim_to_close_seconds).not.toBeNull();
    expect(cv.recent.map((e) => e.action)).toEqual(['mail', 'close', 'claim', 'claim']);
    expect((await town.json<Cv>(['cv', 'overseer'])).created).toBe(3);

    const text = await town.run(['cv', 'nux']);
    expect(text.stdout).toContain('CV of nux');
    expect(text.stdout).toContain('beads:           0 created, 2 claimed, 1 finished');
    expect(text.stdout).toContain('skills:          parsing (1)');
    expect(text.stdout).toMatch(new RegExp(`close\\s+${a.id}\\s+Parser`));
    const nobody = await town.run(['cv', 'ghost']);
    expect(nobody).toMatchObject({ code: 0, stdout: 'ghost has no recorded work yet.\n' });
  });
});
