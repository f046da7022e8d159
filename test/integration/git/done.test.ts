import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { progress } from '../../../src/refinery/verdicts.js';
import { ensureWorktree } from '../../../src/git/worktree.js';
import type { Bead } from '../../../src/model/bead.js';
import { modelContext } from '../../../src/model/context.js';
import { claimBead, createBead } from '../../../src/model/operations.js';
import { runCli } from '../../helpers/cli.js';
import { git } from '../../helpers/git.js';
import { makeTown, type TestTown } from '../refinery/town.js';

describe('citadel done', () => {
  const towns: TestTown[] = [];
  afterEach(() => towns.splice(0).forEach((t) => t.dispose()));

  it('refuses without new commits or with uncommitted changes, then files a merge request, mails the refinery and idles the polecat', async () => {
    const t = makeTown();
    towns.push(t);
    const { value: bead } = await t.town.journal.mutate(createBead(modelContext('overseer', 'ct'), { title: 'add a greeting', priority: 1 }));
    await t.town.journal.mutate(claimBead(modelContext('nux', 'ct'), bead.id));
    await t.town.journal.mutate(() => ({
      changes: [{ kind: 'polecats', id: 'nux', entity: { id: 'nux', status: 'working', bead: bead.id }, action: 'spawn' }],
      value: undefined,
    }));
    const wt = await ensureWorktree(t.root, 'nux', bead.id, { mainBranch: 'main' });
    const env = { CITADEL_TOWN: t.root, CITADEL_POLECAT: 'nux', CITADEL_BEAD: bead.id };

    const empty = await runCli(['done'], { cwd: wt.path, env });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/no new commits on polecat\/nux\/.* compared with main/);

    writeFileSync(join(wt.path, 'hello.txt'), 'hello\n');
    const dirty = await runCli(['done', '--json'], { cwd: wt.path, env });
    expect(dirty.code).toBe(1);
    expect(JSON.parse(dirty.stderr)).toEqual({ error: { code: 'refused', message: expect.stringMatching(/uncommitted changes .*hello\.txt.*commit them/) } });

    git(wt.path, 'add', 'hello.txt');
    git(wt.path, 'commit', '-q', '-m', 'hello');
    const done = await runCli(['done', '--message', 'ready to land', '--json'], { cwd: wt.path, env });
    expect(done.code, done.stderr).toBe(0);
    const request = JSON.parse(done.stdout) as Bead;
    expect(request).toMatchObject({ type: 'merge_request', state: 'queued', branch: wt.branch, polecat: 'nux', bead: bead.id, priority: 1, body: 'ready to land' });
    const mail = t.mail('refinery');
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toBe(`merge request ${request.id}: ${wt.branch}`);
    expect(t.town.journal.read().get('polecats', 'nux')).toMatchObject({ status: 'idle', bead: null, submitted: request.id });

    // Running it again is harmless: the same request is reported.
    const again = await runCli(['done'], { cwd: wt.path, env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`already queued as merge request ${request.id}`);
    expect(t.beads().filter((b) => b.type === 'merge_request')).toHaveLength(1);

    // Once the refinery is working on it, commits added since would not land with it: a new
    // request follows (and done with nothing new still reports the one in progress).
    await t.town.journal.mutate(progress(modelContext('refinery', 'ct'), request.id, 'merging', { stage: 'rebase' }));
    const same = await runCli(['done'], { cwd: wt.path, env });
    expect(same.stdout).toContain(`already queued as merge request ${request.id} (merging)`);
    writeFileSync(join(wt.path, 'more.txt'), 'more\n');
    git(wt.path, 'add', 'more.txt');
    git(wt.path, 'commit', '-q', '-m', 'more');
    const more = await runCli(['done', '--json'], { cwd: wt.path, env });
    expect(more.code, more.stderr).toBe(0);
    const follow = JSON.parse(more.stdout) as Bead;
    expect(follow.id).not.toBe(request.id);
    expect(follow).toMatchObject({ state: 'queued', branch: wt.branch, head: git(wt.path, 'rev-parse', 'HEAD') });
    expect(t.beads().filter((b) => b.type === 'merge_request')).toHaveLength(2);
  });

  it('refuses outside a worktree branch and for an unknown bead', async () => {
    const t = makeTown();
    towns.push(t);
    const onMain = await runCli(['done'], { cwd: t.root });
    expect(onMain.code).toBe(1);
    expect(onMain.stderr).toMatch(/on main itself/);
    const wt = await ensureWorktree(t.root, 'nux', 'ct-zzzz', { mainBranch: 'main' });
    writeFileSync(join(wt.path, 'x.txt'), 'x\n');
    git(wt.path, 'add', 'x.txt');
    git(wt.path, 'commit', '-q', '-m', 'x');
    const unknown = await runCli(['done'], { cwd: wt.path, env: { CITADEL_TOWN: t.root } });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/ct-zzzz not found/);
  });
});
