import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/temp.js';
import { makeSchedTown, type SchedTown } from './town-e2e.js';

let town: SchedTown | undefined;
afterEach(async () => {
  await town?.dispose();
  town = undefined;
});

describe('the witness escalation ladder', () => {
  it('a polecat that stops doing anything is nudged, restarted, then the overseer is mailed — in order, each in the journal; never restarted over uncommitted work', async () => {
    town = await makeSchedTown({ idleSeconds: 1, stuckMinutes: 1, escalation: { idleSeconds: 1, stepSeconds: 2 } });
    const t = town;
    const quiet = await t.id(['bead', 'create', 'a bead nobody works on']);
    const dirty = await t.id(['bead', 'create', 'a bead with work in the worktree']);
    expect((await t.cli(['sling', quiet, '--polecat', 'nux', '--', 'sleep', '600'])).code).toBe(0);
    expect((await t.cli(['sling', dirty, '--polecat', 'slit', '--', 'sh', '-c', 'echo draft > notes.txt; sleep 600'])).code).toBe(0);

    const steps = (name: string): string[] =>
      t
        .records()
        .filter((r) => r.kind === 'polecats' && r.id === name && r.action === 'escalate')
        .map((r) => (r.entity as unknown as { escalation: { step: string } }).escalation.step);
    await waitFor(() => steps('nux').length === 3 && steps('slit').length === 3, 'both ladders to the end', { timeoutMs: 60_000, intervalMs: 250 });
    expect(steps('nux')).toEqual(['nudge', 'restart', 'mail']);
    expect(steps('slit')).toEqual(['nudge', 'restart-skipped', 'mail']);

    const records = t.records();
    const nudge = records.find((r) => r.id === 'nux' && r.action === 'escalate')!;
    expect(nudge.summary).toMatch(/witness nudged nux: nux is idle with .* unfinished/);
    // The restart really happened (a new program), and the skipped one says why.
    const starts = records.filter((r) => r.kind === 'polecats' && r.id === 'nux' && r.action === 'start');
    expect(starts.length).toBe(2);
    expect(records.find((r) => r.id === 'slit' && r.action === 'escalate' && r.summary?.includes('did not restart'))!.summary).toMatch(/1 uncommitted change\(s\)/);
    // The nudge typed what `citadel prime` says about the bead into the pane.
    const peek = JSON.parse((await t.cli(['polecat', 'peek', 'slit', '--json'])).stdout) as { lines: string[] };
    expect(peek.lines.join('\n')).toContain('[citadel witness] You have gone quiet');
    // The overseer got one mail per polecat (the ladder ends there: test/unit/scheduler/schedule-model.test.ts).
    const inbox = JSON.parse((await t.cli(['mail', 'inbox', '--json'])).stdout) as { subject: string }[];
    expect(inbox.filter((m) => /needs you: .* is not moving/.test(m.subject))).toHaveLength(2);
  }, 120_000);
});
