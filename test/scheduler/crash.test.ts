import { afterEach, describe, expect, it } from 'vitest';
import type { Entity } from '../../src/journal/types.js';
import { waitFor } from '../helpers/temp.js';
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
});
