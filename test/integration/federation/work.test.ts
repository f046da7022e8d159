import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { citadelBin } from '../../helpers/cli.js';
import { gitEnv } from '../../helpers/git.js';
import { waitFor } from '../../helpers/temp.js';
import { makeTwoTowns, type BeadJson, type TwoTowns } from './towns.js';

/** Federated work through the rest of the town (issue 19): molecules, CVs, the ready queue, `sync --watch`. */

let towns: TwoTowns | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
  towns?.dispose();
  towns = undefined;
});

describe('federated work', () => {
  it('a molecule poured in one town is worked in the other: steps, the epic closing itself, the ready queue and the CV follow', async () => {
    const t = (towns = await makeTwoTowns());
    const epic = (await t.ok(t.a, ['molecule', 'pour', 'quick-fix', '--var', 'issue=login is broken'])).trim().split(/\s+/)[0]!;
    await t.syncAll();
    const steps = (await t.json<BeadJson[]>(t.b, ['bead', 'list', '--parent', epic])).map((step) => step.id).sort();
    expect(steps.length).toBeGreaterThan(1);
    // B's ready queue has A's first step; nux in B works every step.
    const readyB = await t.json<BeadJson[]>(t.b, ['ready']);
    expect(readyB.map((bead) => bead.id)).toContain(steps[0]);
    for (const step of steps) {
      await t.ok(t.b, ['bead', 'update', step, '--claim'], { CITADEL_ACTOR: 'nux' });
      await t.ok(t.b, ['bead', 'close', step], { CITADEL_ACTOR: 'nux' });
    }
    await t.syncAll();
    const epicInA = (await t.json<BeadJson[]>(t.a, ['bead', 'list', '--status', 'closed'])).find((bead) => bead.id === epic);
    expect(epicInA).toMatchObject({ status: 'closed', close_reason: 'every step is closed' });
    const cv = await t.json<{ claimed: number; closed: number }>(t.a, ['cv', 'nux']);
    expect(cv.claimed).toBe(steps.length);
    expect(cv.closed).toBe(steps.length);
  }, 240_000);

  it('the last two steps of a molecule closed in two towns at once still close the epic, in both towns alike', async () => {
    const t = (towns = await makeTwoTowns());
    const epic = (await t.ok(t.a, ['molecule', 'pour', 'quick-fix', '--var', 'issue=flaky test'])).trim().split(/\s+/)[0]!;
    const steps = (await t.json<BeadJson[]>(t.a, ['bead', 'list', '--parent', epic])).map((step) => step.id).sort();
    for (const step of steps.slice(0, -2)) await t.ok(t.a, ['bead', 'close', step]);
    await t.syncAll();
    await t.ok(t.a, ['bead', 'close', steps.at(-2)!]);
    await t.ok(t.b, ['bead', 'close', steps.at(-1)!]);
    await t.syncAll();
    await t.ok(t.b, ['sync']);
    const [listA, listB] = [await t.json<BeadJson[]>(t.a, ['bead', 'list']), await t.json<BeadJson[]>(t.b, ['bead', 'list'])];
    const byId = (list: BeadJson[]): BeadJson[] => [...list].sort((x, y) => x.id.localeCompare(y.id));
    expect(byId(listB)).toEqual(byId(listA));
    expect(listA.find((bead) => bead.id === epic)).toMatchObject({ status: 'closed', close_reason: 'every step is closed' });
    expect(await t.json<unknown[]>(t.a, ['sync', '--conflicts'])).toEqual([]);
  }, 240_000);

  it('sync --watch keeps both towns in step until it is stopped', async () => {
    const t = (towns = await makeTwoTowns());
    await t.syncAll();
    for (const town of [t.a, t.b]) {
      const child = spawn(process.execPath, [citadelBin, 'sync', '--watch', '--interval', '1'], { cwd: town, env: { ...process.env, ...gitEnv, CITADEL_ACTOR: '', CITADEL_TOWN: '' }, stdio: 'ignore' });
      children.push(child);
    }
    const id = (await t.ok(t.a, ['bead', 'create', 'made while watching'])).trim();
    await waitFor(async () => (await t.json<BeadJson[]>(t.b, ['bead', 'list'])).some((bead) => bead.id === id), `${id} in town b`, { timeoutMs: 60_000, intervalMs: 500 });
    await t.ok(t.b, ['bead', 'update', id, '--priority', '0']);
    await waitFor(async () => (await t.json<BeadJson[]>(t.a, ['bead', 'list'])).find((bead) => bead.id === id)?.priority === 0, 'the priority in town a', { timeoutMs: 60_000, intervalMs: 500 });
    // SIGTERM ends a watch cleanly (exit 0).
    const [first] = children;
    const code = new Promise((resolve) => first!.once('exit', resolve));
    first!.kill('SIGTERM');
    expect(await code).toBe(0);
  }, 240_000);
});
