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
  bead: string | null;
  pid: number | null;
}

const polecats = (t: TestTown) => json<Row[]>(t, ['polecat', 'list']);
/** `sling ID --polecat NAME -- ARGV…` (`--json` must come before `--`). */
async function sling(t: TestTown, id: string, name: string, script: string): Promise<void> {
  const result = await t.cli(['sling', id, '--polecat', name, '--json', '--', 'sh', '-c', script]);
  expect(result.code, result.stderr).toBe(0);
}

const bead = (t: TestTown, id: string) => json<{ status: string; assignee: string | null }>(t, ['bead', 'show', id]);

/** Kills the polecat's program as a crash would (its pty dies; the daemon stays). */
async function crash(t: TestTown, name: string): Promise<void> {
  const pid = (await polecats(t)).find((p) => p.name === name)?.pid;
  expect(pid).toBeTruthy();
  process.kill(pid!, 'SIGKILL');
  await waitFor(async () => (await polecats(t)).find((p) => p.name === name)?.status === 'exited', `${name} to read exited`);
}

describe('polecat restart after its program died', () => {
  it('takes back the bead its exit gave to ready: in polecat list, the pane (title bar) and the bead', async () => {
    town = await makeTown();
    const id = (await json<{ id: string }>(town, ['bead', 'create', 'keep me'])).id;
    await sling(town, id, 'nux', 'echo "bead=$CITADEL_BEAD"; exec sleep 600');
    await crash(town, 'nux');
    // The exit handed the unfinished bead back (docs/daemon.md), as before.
    expect((await polecats(town))[0]).toMatchObject({ status: 'exited', bead: null });
    expect(await bead(town, id)).toMatchObject({ status: 'open', assignee: null });

    await json(town, ['polecat', 'restart', 'nux']);
    expect((await polecats(town))[0]).toMatchObject({ name: 'nux', bead: id });
    expect(await bead(town, id)).toMatchObject({ status: 'in_progress', assignee: 'nux' });
    const client = await town.client();
    const pane = (await client.request('list')).find((p) => p.id === 'nux');
    expect(pane?.bead).toBe(id);
    const t = town;
    await waitFor(async () => (await t.cli(['polecat', 'peek', 'nux'])).stdout.includes(`bead=${id}`), 'the agent to get its bead again');

    // A second death and restart: the same again (the remembered bead is the latest one given back).
    await crash(town, 'nux');
    await json(town, ['polecat', 'restart', 'nux']);
    expect((await polecats(town))[0]).toMatchObject({ bead: id });
  });

  it('restarts without the bead when another polecat claimed it meanwhile', async () => {
    town = await makeTown();
    const id = (await json<{ id: string }>(town, ['bead', 'create', 'contested'])).id;
    await sling(town, id, 'nux', 'exec sleep 600');
    await crash(town, 'nux');
    await sling(town, id, 'slit', 'exec sleep 600');
    await json(town, ['polecat', 'restart', 'nux']);
    const rows = await polecats(town);
    expect(rows.find((p) => p.name === 'nux')).toMatchObject({ bead: null });
    expect(rows.find((p) => p.name === 'slit')).toMatchObject({ bead: id });
    expect(await bead(town, id)).toMatchObject({ assignee: 'slit' });
  });
});
