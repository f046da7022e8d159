import { afterEach, describe, expect, it } from 'vitest';
import type { Entity } from '../../../src/journal/types.js';
import { waitFor } from '../../helpers/temp.js';
import { mainGreen, makeSchedTown, replay, type SchedTown } from './town-e2e.js';

let town: SchedTown | undefined;
afterEach(async () => {
  await town?.dispose();
  town = undefined;
});

interface BeadJson {
  id: string;
  status: string;
  type: string;
  assignee: string | null;
  closed_at: string | null;
  defer_until?: string;
  recurs_from?: string;
  uses?: string[];
}

const DAY = 86_400_000;

describe('citadel town start: the town runs itself', () => {
  it('12 beads with dependencies, a capacity-1 resource, a timed and a recurring bead, --max 3: every bead closed, main green, never over the limits', async () => {
    town = await makeSchedTown();
    const t = town;
    const db = await t.id(['bead', 'create', 'staging database', '--type', 'resource', '--capacity', '1']);
    const ids: string[] = [];
    const make = async (title: string, ...more: string[]): Promise<string> => {
      const id = await t.id(['bead', 'create', title, ...more]);
      ids.push(id);
      return id;
    };
    const a = await make('schema: users table', '--uses', db, '--priority', '1');
    const b = await make('schema: orders table', '--uses', db, '--needs', a);
    const c = await make('seed the staging data', '--uses', db);
    const d = await make('API: list users', '--needs', a);
    const e = await make('API: list orders', '--needs', `${b},${d}`);
    await make('docs: the users API', '--needs', d, '--label', 'docs');
    await make('docs: the orders API', '--needs', e, '--label', 'docs');
    await make('lint config');
    await make('CI workflow');
    const f = await make('release notes', '--needs', `${c},${e}`);
    const timed = await make('cut the release', '--defer-until', '+1d', '--needs', f);
    const recurring = await make('bump dependencies', '--every', '2d', '--label', 'deps');
    expect(ids).toHaveLength(12);

    const started = await t.cli(['town', 'start', '--max', '3', '--agent', 'scripted']);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toMatch(/the scheduler runs: up to 3 polecats busy, agent scripted/);

    // Eleven close on their own; the timed bead waits for its day (the town's clock).
    const bead = async (id: string): Promise<BeadJson> => JSON.parse((await t.cli(['bead', 'show', id, '--json'])).stdout) as BeadJson;
    await waitFor(async () => (await Promise.all(ids.filter((id) => id !== timed).map(bead))).every((x) => x.status === 'closed'), 'eleven beads closed', { timeoutMs: 150_000, intervalMs: 500 });
    const before = await bead(timed);
    expect(before).toMatchObject({ status: 'open', assignee: null });
    const status = await t.cli(['town', 'status']);
    expect(status.stdout).toMatch(/the scheduler is running \(by overseer\)/);
    const advancedAt = Date.now();
    t.setClock(DAY + 60_000);
    await waitFor(async () => (await bead(timed)).status === 'closed', 'the timed bead closed once its time came', { timeoutMs: 60_000, intervalMs: 300 });

    // Every bead closed, the recurring one poured again (open, deferred by its interval), main green.
    const all = JSON.parse((await t.cli(['bead', 'list', '--json'])).stdout) as BeadJson[];
    const next = all.filter((x) => x.recurs_from === recurring);
    expect(next).toHaveLength(1);
    const closedRecurring = all.find((x) => x.id === recurring)!;
    expect(next[0]).toMatchObject({ status: 'open', assignee: null });
    expect(Date.parse(next[0]!.defer_until!) - Date.parse(closedRecurring.closed_at!)).toBe(2 * DAY);
    expect(all.filter((x) => x.type !== 'merge_request' && x.type !== 'resource' && x.id !== next[0]!.id).every((x) => x.status === 'closed')).toBe(true);
    await waitFor(() => mainGreen(t.root), 'main green');

    // Replayed record by record: never more than 3 polecats busy, never two holders of the
    // database, the timed bead never claimed before its time, every decision with its reason.
    let maxBusy = 0;
    let maxHolders = 0;
    const decisions: string[] = [];
    replay(t.records(), (state, record) => {
      const polecats = [...(state.get('polecats') ?? new Map<string, Entity>()).values()];
      const busy = polecats.filter((p) => p.pid !== null || p.status === 'starting').length;
      maxBusy = Math.max(maxBusy, busy);
      const beads = [...(state.get('beads') ?? new Map<string, Entity>()).values()] as unknown as BeadJson[];
      maxHolders = Math.max(maxHolders, beads.filter((x) => x.status === 'in_progress' && (x.uses ?? []).includes(db)).length);
      if (record.kind === 'beads' && record.id === timed && record.action === 'claim') expect(Date.parse(record.ts)).toBeGreaterThanOrEqual(advancedAt);
      if (record.kind === 'scheduler' && record.action === 'schedule') decisions.push(record.summary ?? '');
    });
    expect(maxBusy).toBeLessThanOrEqual(3);
    expect(maxBusy).toBe(3); // it did keep three busy
    expect(maxHolders).toBe(1);
    expect(decisions.length).toBeGreaterThanOrEqual(12);
    for (const line of decisions) expect(line).toMatch(/→ \S+ \((reused|new)\) on scripted: |^rework: /);
  }, 240_000);

  it('town pause takes no more work (running polecats finish); town start resumes', async () => {
    town = await makeSchedTown();
    const t = town;
    const first = await t.id(['bead', 'create', 'first']);
    expect((await t.cli(['town', 'start', '--max', '1', '--agent', 'scripted'])).code).toBe(0);
    const paused = await t.cli(['town', 'pause']);
    expect(paused.stdout).toMatch(/paused: it takes no more work; running polecats finish/);
    const second = await t.id(['bead', 'create', 'second']);
    const show = async (id: string): Promise<BeadJson> => JSON.parse((await t.cli(['bead', 'show', id, '--json'])).stdout) as BeadJson;
    // The first may have been taken before the pause; either way it finishes, and the second is never taken while paused.
    const firstNow = await show(first);
    if (firstNow.status !== 'open') await waitFor(async () => (await show(first)).status === 'closed', 'the running polecat finished', { timeoutMs: 60_000, intervalMs: 300 });
    const statusJson = JSON.parse((await t.cli(['town', 'status', '--json'])).stdout) as { state: string; next: { bead: string }[]; waiting: { bead: string }[] };
    expect(statusJson.state).toBe('paused');
    // What it would take were it running (the first too, if the pause came before it looked).
    expect([...statusJson.next, ...statusJson.waiting].map((n) => n.bead)).toContain(second);
    expect((await show(second)).status).toBe('open');
    expect((await t.cli(['town', 'start'])).code).toBe(0);
    await waitFor(async () => (await show(first)).status === 'closed' && (await show(second)).status === 'closed', 'both beads taken after start', { timeoutMs: 60_000, intervalMs: 300 });
    // Nothing was claimed while paused: every claim is before the pause or after the start.
    const history = t.records();
    const pausedAt = history.find((r) => r.action === 'town-pause')!.seq;
    const resumedAt = history.filter((r) => r.action === 'town-start').at(-1)!.seq;
    expect(history.filter((r) => r.action === 'claim' && r.seq > pausedAt && r.seq < resumedAt)).toEqual([]);

    // Running with a free slot, a bead that becomes ready is taken within 1 s.
    await waitFor(async () => JSON.parse((await t.cli(['town', 'status', '--json'])).stdout).busy === 0, 'a free slot', { timeoutMs: 30_000, intervalMs: 200 });
    const third = await t.id(['bead', 'create', 'third']);
    await waitFor(async () => (await show(third)).status !== 'open', 'the third bead taken', { timeoutMs: 10_000, intervalMs: 100 });
    const records = t.records();
    const created = records.find((r) => r.id === third && r.action === 'create')!;
    const claimed = records.find((r) => r.id === third && r.action === 'claim')!;
    expect(Date.parse(claimed.ts) - Date.parse(created.ts)).toBeLessThan(1000);
  }, 120_000);
});
