import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Entity } from '../../../src/journal/types.js';
import type { Bead } from '../../../src/model/bead.js';
import { beadPrompt, getPreset, launchFor } from '../../../src/agent-cli/presets.js';
import { setScheduler } from '../../../src/scheduler/state.js';
import { take } from '../../../src/scheduler/take.js';
import { openTownAt } from '../../../src/town/town.js';
import { waitFor } from '../../helpers/temp.js';
import { makeSchedTown, replay, type SchedTown } from './town-e2e.js';

let town: SchedTown | undefined;
afterEach(async () => {
  await town?.dispose();
  town = undefined;
});

describe('the scheduler across a daemon crash', () => {
  it('kill -9 of the daemon while it schedules: the next daemon resumes, no bead is slung twice, every bead closes', async () => {
    // Slow polecats, so the kill lands while they work.
    town = await makeSchedTown({}, { CITADEL_SCRIPTED_DELAY_MS: '300' });
    const t = town;
    const ids: string[] = [];
    for (let i = 1; i <= 6; i++) ids.push(await t.id(['bead', 'create', `task ${i}`]));
    expect((await t.cli(['town', 'start', '--max', '2', '--agent', 'scripted'])).code).toBe(0);
    const daemonPid = async (): Promise<number | undefined> => (JSON.parse((await t.cli(['daemon', 'status', '--json'])).stdout) as { pid?: number }).pid;
    const first = await daemonPid();
    expect(first).toBeGreaterThan(0);
    // Two polecats at work, then the daemon dies without a word.
    await waitFor(async () => (JSON.parse((await t.cli(['polecat', 'list', '--json'])).stdout) as { status: string }[]).filter((p) => p.status === 'working').length === 2, 'two polecats working', {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    process.kill(first!, 'SIGKILL');
    await waitFor(async () => (JSON.parse((await t.cli(['daemon', 'status', '--json'])).stdout) as { running: boolean }).running === false, 'the daemon gone');

    // The next daemon (started by anything; here `daemon start`) finds the scheduler running in the journal.
    expect((await t.cli(['daemon', 'start'])).code).toBe(0);
    expect(await daemonPid()).not.toBe(first);
    const closed = async (): Promise<boolean> => {
      const beads = JSON.parse((await t.cli(['bead', 'list', '--json'])).stdout) as { id: string; status: string }[];
      return ids.every((id) => beads.find((b) => b.id === id)?.status === 'closed');
    };
    await waitFor(closed, 'every bead closed after the restart', { timeoutMs: 150_000, intervalMs: 500 });

    // Never two live polecats on one bead; each bead closed once.
    let worst = 0;
    replay(t.records(), (state) => {
      const holders = new Map<string, number>();
      for (const p of (state.get('polecats') ?? new Map<string, Entity>()).values()) {
        if (typeof p.bead === 'string' && (p.pid !== null || p.status === 'starting')) holders.set(p.bead, (holders.get(p.bead) ?? 0) + 1);
      }
      worst = Math.max(worst, ...holders.values(), 0);
    });
    expect(worst).toBe(1);
    const closes = t.records().filter((r) => r.kind === 'beads' && r.action === 'close' && ids.includes(r.id));
    expect(closes.map((r) => r.id).sort()).toEqual([...ids].sort());
  }, 240_000);

  it('a start the daemon recorded but never spawned (killed in between) is finished by the next daemon, the bead slung once', async () => {
    town = await makeSchedTown();
    const t = town;
    const id = await t.id(['bead', 'create', 'a bead caught mid-start']);
    // The scheduler's mutation, as a daemon killed right after it would have left it: claimed, `starting`, no pane.
    const opened = openTownAt(t.root, 'witness');
    try {
      await opened.journal.mutate(setScheduler('overseer', new Date().toISOString(), { state: 'running', max: 3, agent: 'scripted' }));
      const bead = opened.journal.read().get('beads', id) as Bead;
      const launched = launchFor(getPreset('scripted'), beadPrompt(bead));
      const decision = { kind: 'take' as const, bead: id, polecat: 'nux', agent: 'scripted', reused: false, match: 'the only agent', reason: `${id} → nux (new) on scripted` };
      const { value } = await opened.journal.mutate(
        take(decision, { preset: 'scripted', argv: launched.argv, typeIn: launched.typeIn }, { prefix: opened.config.prefix, worktreesRoot: join(realpathSync(t.root), '.citadel', 'worktrees'), max: 3, now: Date.now() }),
      );
      expect(value?.polecat.status).toBe('starting');
    } finally {
      opened.close();
    }
    expect((await t.cli(['daemon', 'start'])).code).toBe(0);
    await waitFor(async () => (JSON.parse((await t.cli(['bead', 'show', id, '--json'])).stdout) as { status: string }).status === 'closed', 'the bead finished by nux', { timeoutMs: 60_000, intervalMs: 300 });
    const claims = t.records().filter((r) => r.kind === 'beads' && r.id === id && r.action === 'claim');
    expect(claims).toHaveLength(1);
    expect(t.records().filter((r) => r.kind === 'polecats' && r.id === 'nux' && r.action === 'start')).toHaveLength(1);
  }, 120_000);
});
