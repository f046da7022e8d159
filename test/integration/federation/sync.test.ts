import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { citadelBin } from '../../helpers/cli.js';
import { git, gitEnv } from '../../helpers/git.js';
import { makeTwoTowns, type BeadJson, type TwoTowns } from './towns.js';

/**
 * Journal federation over git (issue 19, docs/federation.md), through the real binary: two
 * clones of one repository, each a town, syncing through a bare remote.
 */

let towns: TwoTowns | undefined;
afterEach(() => {
  towns?.dispose();
  towns = undefined;
});

const byId = (beads: BeadJson[]): BeadJson[] => [...beads].sort((x, y) => x.id.localeCompare(y.id));

async function expectConverged(t: TwoTowns): Promise<BeadJson[]> {
  const [listA, listB] = await Promise.all([t.json<BeadJson[]>(t.a, ['bead', 'list']), t.json<BeadJson[]>(t.b, ['bead', 'list'])]);
  expect(byId(listB)).toEqual(byId(listA));
  const [readyA, readyB] = await Promise.all([t.json<BeadJson[]>(t.a, ['ready']), t.json<BeadJson[]>(t.b, ['ready'])]);
  expect(readyB).toEqual(readyA);
  return listA;
}

describe('citadel sync', () => {
  it('carries concurrent creates and mail both ways; a synced town draws ids with its own tag; the town id is per clone and private', async () => {
    const t = (towns = await makeTwoTowns());
    const a1 = (await t.ok(t.a, ['bead', 'create', 'made in A'])).trim();
    const b1 = (await t.ok(t.b, ['bead', 'create', 'made in B', '--priority', '1'])).trim();
    await t.syncAll();
    const list = await expectConverged(t);
    expect(list.map((bead) => bead.id).sort()).toEqual([a1, b1].sort());

    // Per clone: different ids, in a private file git does not track.
    const idFile = (town: string): string => join(town, '.citadel', 'federation', 'town.json');
    const idA = (JSON.parse(readFileSync(idFile(t.a), 'utf8')) as { id: string }).id;
    const idB = (JSON.parse(readFileSync(idFile(t.b), 'utf8')) as { id: string }).id;
    expect(idA).not.toBe(idB);
    expect(lstatSync(idFile(t.a)).mode & 0o777).toBe(0o600);
    expect(lstatSync(join(t.a, '.citadel', 'federation')).mode & 0o777).toBe(0o700);
    // git does not see it (`citadel init`'s .git/info/exclude): only the config is there to commit.
    expect(git(t.a, 'ls-files', '--others', '--exclude-standard', '--', '.citadel')).toBe('.citadel/config.json');
    // The chunks are on refs named by town on the remote.
    expect(git(t.hub, 'for-each-ref', '--format=%(refname)', 'refs/citadel/towns/').split('\n').sort()).toEqual([`refs/citadel/towns/${idA}`, `refs/citadel/towns/${idB}`].sort());

    // Once federated, fresh ids start with the town's tag: concurrent creates cannot collide.
    const a2 = (await t.ok(t.a, ['bead', 'create', 'second in A'])).trim();
    const b2 = (await t.ok(t.b, ['bead', 'create', 'second in B'])).trim();
    expect(a2.startsWith(`ct-${idA.slice(0, 3)}`)).toBe(true);
    expect(b2.startsWith(`ct-${idB.slice(0, 3)}`)).toBe(true);

    await t.ok(t.a, ['mail', 'send', '--to', 'overseer', '--subject', 'hello from A'], { CITADEL_ACTOR: 'nux' });
    await t.ok(t.b, ['mail', 'send', '--to', 'nux', '--subject', 'hello from B']);
    await t.syncAll();
    const after = await expectConverged(t);
    expect(after.map((bead) => bead.id).sort()).toEqual([a1, b1, a2, b2].sort());
    const inboxB = await t.json<BeadJson[]>(t.b, ['mail', 'inbox']);
    expect(inboxB.map((m) => m.subject)).toContain('hello from A');
    const inboxA = await t.json<BeadJson[]>(t.a, ['mail', 'inbox', '--for', 'nux']);
    expect(inboxA.map((m) => m.subject)).toContain('hello from B');

    // Syncing again with nothing new changes nothing.
    const quiet = JSON.parse(await t.ok(t.b, ['sync', '--json'])) as { pushed: { events: number }; pulled: unknown[] };
    expect(quiet.pushed.events).toBe(0);
    expect(quiet.pulled).toEqual([]);
  }, 180_000);

  it('merges edits of different fields of one bead, and reports an edit of the same field in both towns with the same winner', async () => {
    const t = (towns = await makeTwoTowns());
    const id = (await t.ok(t.a, ['bead', 'create', 'shared work'])).trim();
    await t.syncAll();

    await t.ok(t.a, ['bead', 'update', id, '--title', 'renamed in A']);
    await t.ok(t.b, ['bead', 'update', id, '--priority', '0', '--add-label', 'urgent']);
    await t.syncAll();
    let [bead] = (await expectConverged(t)).filter((b) => b.id === id);
    expect(bead).toMatchObject({ title: 'renamed in A', priority: 0, labels: ['urgent'] });
    expect(await t.json<unknown[]>(t.a, ['sync', '--conflicts'])).toEqual([]);

    await t.ok(t.a, ['bead', 'update', id, '--title', 'title by A']);
    await t.ok(t.b, ['bead', 'update', id, '--title', 'title by B']);
    await t.syncAll();
    [bead] = (await expectConverged(t)).filter((b) => b.id === id);
    expect(['title by A', 'title by B']).toContain(bead!.title);
    for (const town of [t.a, t.b]) {
      const conflicts = await t.json<Array<{ bead: string; field: string; kept: { value: unknown }; lost: { value: unknown } }>>(town, ['sync', '--conflicts']);
      expect(conflicts).toHaveLength(1);
      expect(conflicts[0]).toMatchObject({ bead: id, field: 'title', kept: { value: bead!.title } });
      expect([conflicts[0]!.kept.value, conflicts[0]!.lost.value].sort()).toEqual(['title by A', 'title by B']);
    }
    // A later edit (made after seeing the other) is not a conflict.
    await t.ok(t.b, ['bead', 'update', id, '--title', 'settled']);
    await t.syncAll();
    [bead] = (await expectConverged(t)).filter((b) => b.id === id);
    expect(bead!.title).toBe('settled');
    expect(await t.json<unknown[]>(t.a, ['sync', '--conflicts'])).toHaveLength(1);
  }, 180_000);

  it('a bead claimed in both towns at once ends with one claim, and the losing claimer is mailed in its town', async () => {
    const t = (towns = await makeTwoTowns());
    const id = (await t.ok(t.a, ['bead', 'create', 'contested'])).trim();
    await t.syncAll();
    await t.ok(t.a, ['bead', 'update', id, '--claim'], { CITADEL_ACTOR: 'nux' });
    await t.ok(t.b, ['bead', 'update', id, '--claim'], { CITADEL_ACTOR: 'slit' });
    const out = await t.ok(t.a, ['sync']);
    await t.ok(t.b, ['sync']);
    await t.ok(t.a, ['sync']);
    const [bead] = (await expectConverged(t)).filter((b) => b.id === id);
    expect(bead!.status).toBe('in_progress');
    expect(['nux', 'slit']).toContain(bead!.assignee);
    const loser = bead!.assignee === 'nux' ? 'slit' : 'nux';
    const loserTown = loser === 'nux' ? t.a : t.b;
    const winnerTown = loser === 'nux' ? t.b : t.a;
    const mail = await t.json<BeadJson[]>(loserTown, ['mail', 'inbox', '--for', loser]);
    expect(mail.map((m) => m.subject)).toEqual([`Claim lost: ${id} contested`]);
    expect(String(mail[0]!.body)).toContain(`${bead!.assignee} has it now`);
    expect(await t.json<BeadJson[]>(winnerTown, ['mail', 'inbox', '--for', bead!.assignee!])).toEqual([]);
    for (const town of [t.a, t.b]) {
      const conflicts = await t.json<Array<{ field: string }>>(town, ['sync', '--conflicts']);
      expect(conflicts.map((c) => c.field)).toEqual(['assignee']);
    }
    expect(out).toContain('synced town');
  }, 180_000);

  it('kill -9 during sync, then sync again: both towns converge and nothing is lost', async () => {
    const t = (towns = await makeTwoTowns());
    const lines = (prefix: string, n: number): string =>
      Array.from({ length: n }, (_, i) => JSON.stringify({ id: `${prefix}-${i}`, title: `${prefix} bead ${i}`, type: 'task', status: 'open', priority: i % 5 })).join('\n');
    const importInto = async (town: string, prefix: string, n: number): Promise<void> => {
      const result = await new Promise<number>((resolve) => {
        const child = spawn(process.execPath, [citadelBin, 'bead', 'import', '-'], { cwd: town, env: { ...process.env, ...gitEnv, CITADEL_ACTOR: '', CITADEL_TOWN: '' }, stdio: ['pipe', 'ignore', 'inherit'] });
        child.stdin.end(lines(prefix, n));
        child.on('exit', (code) => resolve(code ?? 1));
      });
      expect(result).toBe(0);
    };
    await importInto(t.a, 'ka', 400);
    await importInto(t.b, 'kb', 400);
    await t.ok(t.a, ['sync']);
    // Kill B's sync at several points of its run (fetch, export, materialize, commit, push).
    for (const delay of [150, 300, 450, 600, 800, 1100]) {
      await t.ok(t.a, ['bead', 'update', `ka-${delay % 397}`, '--title', `edited in A at ${delay}`]);
      await t.ok(t.b, ['bead', 'update', `kb-${delay % 397}`, '--title', `edited in B at ${delay}`]);
      const child = spawn(process.execPath, [citadelBin, 'sync'], { cwd: t.b, env: { ...process.env, ...gitEnv, CITADEL_ACTOR: '', CITADEL_TOWN: '' }, stdio: 'ignore' });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill('SIGKILL');
      await exited;
      await t.ok(t.a, ['sync']);
    }
    await t.syncAll();
    const list = await expectConverged(t);
    expect(list).toHaveLength(800);
    for (const delay of [150, 300, 450, 600, 800, 1100]) {
      expect(list.find((bead) => bead.id === `ka-${delay % 397}`)!.title).toBe(`edited in A at ${delay}`);
      expect(list.find((bead) => bead.id === `kb-${delay % 397}`)!.title).toBe(`edited in B at ${delay}`);
    }
    // Every conflict would have been reported; these edits never overlapped.
    expect(await t.json<unknown[]>(t.b, ['sync', '--conflicts'])).toEqual([]);
    expect(await t.json<unknown[]>(t.a, ['sync', '--conflicts'])).toEqual([]);
  }, 300_000);

  it('a town whose journal was made anew gets a new id and pulls its old records back like another town\'s', async () => {
    const t = (towns = await makeTwoTowns());
    const old = (await t.ok(t.a, ['bead', 'create', 'before the loss'])).trim();
    await t.syncAll();
    for (const name of readdirSync(join(t.a, '.citadel'))) {
      if (name !== 'config.json' && name !== 'federation') rmSync(join(t.a, '.citadel', name), { recursive: true, force: true });
    }
    await t.ok(t.a, ['init']);
    expect(await t.json<BeadJson[]>(t.a, ['bead', 'list'])).toEqual([]);
    const report = JSON.parse(await t.ok(t.a, ['sync', '--json'])) as { town: string; warnings: string[] };
    expect(report.warnings.join('\n')).toContain('already has exported history');
    expect((await t.json<BeadJson[]>(t.a, ['bead', 'list'])).map((bead) => bead.id)).toEqual([old]);
    const made = (await t.ok(t.a, ['bead', 'create', 'after'])).trim();
    await t.syncAll();
    expect((await expectConverged(t)).map((bead) => bead.id).sort()).toEqual([old, made].sort());
  }, 120_000);

  it('never follows a link where its town id file or folder should be', async () => {
    const t = (towns = await makeTwoTowns());
    const target = join(t.hub, '..', 'elsewhere.json');
    writeFileSync(target, '{"id":"aaaaaaaaaaaa"}\n');
    mkdirSync(join(t.a, '.citadel', 'federation'), { mode: 0o700 });
    symlinkSync(target, join(t.a, '.citadel', 'federation', 'town.json'));
    const linked = await t.cli(t.a, ['sync']);
    expect(linked.code).toBe(1);
    expect(linked.stderr.trim().split('\n')).toHaveLength(1);
    expect(linked.stderr).toContain('is a symbolic link');
    symlinkSync(join(t.hub, '..'), join(t.b, '.citadel', 'federation'));
    const folder = await t.cli(t.b, ['sync']);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain('is a symbolic link');
    expect(readFileSync(target, 'utf8')).toBe('{"id":"aaaaaaaaaaaa"}\n');
  }, 60_000);

  it('refuses an unknown or malformed remote in one line', async () => {
    const t = (towns = await makeTwoTowns());
    const unknown = await t.cli(t.a, ['sync', 'nowhere']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toContain('unknown git remote "nowhere"');
    const option = await t.cli(t.a, ['sync', '--', '--upload-pack=touch /tmp/x']);
    expect(option.code).toBe(1);
    expect(option.stderr).toContain('bad remote name');
    git(t.a, 'remote', 'add', 'gone', join(t.hub, '..', 'no-such-repo.git'));
    const gone = await t.cli(t.a, ['sync', 'gone']);
    expect(gone.code).toBe(1);
    expect(gone.stderr.trim().split('\n')).toHaveLength(1);
    expect(gone.stderr).toContain('could not fetch from gone');
  }, 60_000);
});
