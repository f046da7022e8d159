import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runRefinery } from '../../../src/refinery/refinery.js';
import { ensureWorktree } from '../../../src/git/worktree.js';
import type { Bead } from '../../../src/model/bead.js';
import { modelContext } from '../../../src/model/context.js';
import { claimBead, createBead } from '../../../src/model/operations.js';
import type { Pty } from '../../../src/pty/pty.js';
import { loadNodePty } from '../../../src/pty/node-pty.js';
import { citadelBin, runCli } from '../../helpers/cli.js';
import { git, gitEnv } from '../../helpers/git.js';
import { waitFor } from '../../helpers/temp.js';
import { makeTown, type TestTown } from '../refinery/town.js';

describe('the scripted agent', () => {
  const towns: TestTown[] = [];
  const ptys: Pty[] = [];
  afterEach(() => {
    ptys.splice(0).forEach((pty) => pty.kill());
    towns.splice(0).forEach((t) => t.dispose());
  });

  /** A town with a claimed bead and its polecat's worktree, as `sling` leaves them. */
  async function slung(t: TestTown, polecat: string, title: string, labels: string[] = []): Promise<{ bead: Bead; path: string; env: NodeJS.ProcessEnv }> {
    const { value: bead } = await t.town.journal.mutate(createBead(modelContext('overseer', 'ct'), { title, labels, body: `Do: ${title}` }));
    await t.town.journal.mutate(claimBead(modelContext(polecat, 'ct'), bead.id));
    const wt = await ensureWorktree(t.root, polecat, bead.id, { mainBranch: 'main' });
    return { bead, path: wt.path, env: { CITADEL_TOWN: t.root, CITADEL_POLECAT: polecat, CITADEL_BEAD: bead.id } };
  }

  it('works its bead: a deterministic change, the gates, a commit and citadel done', async () => {
    const t = makeTown({ gates: [['node', '-e', "console.log('gate output: ' + require('fs').readdirSync('work').length + ' files')"]] });
    towns.push(t);
    const { bead, path, env } = await slung(t, 'nux', 'write the greeting');
    const result = await runCli(['agent', 'scripted', '--delay', '0'], { cwd: path, env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('gate output: 1 files');
    expect(result.stdout).toContain(`✓ done: ${bead.id} submitted to the refinery`);
    expect(readFileSync(join(path, 'work', `${bead.id}.md`), 'utf8')).toBe(`# write the greeting\n\nbead: ${bead.id}\npolecat: nux\n\nDo: write the greeting\n`);
    expect(git(path, 'log', '-1', '--format=%s')).toBe(`${bead.id}: write the greeting`);
    expect(git(path, 'status', '--porcelain')).toBe('');
    const request = t.beads().find((b) => b.type === 'merge_request');
    expect(request).toMatchObject({ state: 'queued', polecat: 'nux', bead: bead.id, branch: `polecat/nux/${bead.id}` });
  });

  it('three scripted polecats finishing together all land, and main has every commit', async () => {
    const t = makeTown();
    towns.push(t);
    const slings = [await slung(t, 'nux', 'first'), await slung(t, 'furiosa', 'second'), await slung(t, 'slit', 'third')];
    const results = await Promise.all(slings.map((s) => runCli(['agent', 'scripted', '--delay', '0'], { cwd: s.path, env: s.env })));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    const run = await runRefinery(t.root, { once: true });
    expect(run.merged).toHaveLength(3);
    const subjects = git(t.root, 'log', '--format=%s', 'main').split('\n');
    for (const s of slings) {
      expect(subjects).toContain(`${s.bead.id}: ${s.bead.title}`);
      expect(existsSync(join(t.root, 'work', `${s.bead.id}.md`))).toBe(true);
      expect(t.bead(s.bead.id).status).toBe('closed');
    }
  });

  it('fails when told to (scripted:fail), committing nothing', async () => {
    const t = makeTown();
    towns.push(t);
    const { path, env } = await slung(t, 'nux', 'doomed', ['scripted:fail']);
    const result = await runCli(['agent', 'scripted', '--delay', '0'], { cwd: path, env });
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('simulated failure');
    expect(git(path, 'rev-parse', 'HEAD')).toBe(git(t.root, 'rev-parse', 'main'));
    expect(t.beads().some((b) => b.type === 'merge_request')).toBe(false);
  });

  it('streams a lot of output when asked (--flood)', async () => {
    const t = makeTown();
    towns.push(t);
    const { path, env } = await slung(t, 'nux', 'chatty');
    const result = await runCli(['agent', 'scripted', '--delay', '0', '--flood', '3000', '--no-done'], { cwd: path, env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.split('\n').filter((line) => line.startsWith('thinking')).length).toBe(3000);
    expect(result.stdout).toContain('not submitted');
  });

  it('two conflict beads produce a merge conflict the refinery bounces', async () => {
    const t = makeTown();
    towns.push(t);
    const one = await slung(t, 'nux', 'shared edit one', ['scripted:conflict']);
    const two = await slung(t, 'furiosa', 'shared edit two', ['scripted:conflict']);
    const results = await Promise.all([one, two].map((s) => runCli(['agent', 'scripted', '--delay', '0'], { cwd: s.path, env: s.env })));
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    const run = await runRefinery(t.root, { once: true });
    expect(run.merged).toHaveLength(1);
    expect(run.rejected).toHaveLength(1);
    const rejected = t.bead(run.rejected[0]!);
    expect(rejected.reason).toMatch(/SHARED\.md/);
    // The bead goes back to its polecat; run again, the agent reworks its branch onto main and it lands.
    const bounced = [one, two].find((s) => s.bead.id === rejected.bead)!;
    const rework = await runCli(['agent', 'scripted', '--delay', '0'], { cwd: bounced.path, env: bounced.env });
    expect(rework.code, rework.stdout + rework.stderr).toBe(0);
    expect(rework.stdout).toContain('reworking: rebasing 1 earlier commit onto main');
    const second = await runRefinery(t.root, { once: true });
    expect(second.merged).toHaveLength(1);
    expect(readFileSync(join(t.root, 'SHARED.md'), 'utf8')).toMatch(new RegExp(`^edited by ${bounced.bead.id}`));
    expect(t.bead(bounced.bead.id).status).toBe('closed');
  });

  it('asks a question in a real terminal and waits for the answer', async () => {
    const t = makeTown();
    towns.push(t);
    const { bead, path, env } = await slung(t, 'nux', 'needs a decision', ['scripted:ask']);
    const spawnPty = await loadNodePty();
    let screen = '';
    const pty = spawnPty([process.execPath, citadelBin, 'agent', 'scripted', '--delay', '50'], {
      cwd: path,
      env: { ...process.env, ...gitEnv, ...env, CITADEL_ACTOR: '' },
      cols: 100,
      rows: 30,
    });
    ptys.push(pty);
    let exitCode: number | null | undefined;
    pty.onData((data) => (screen += data));
    pty.onExit((event) => (exitCode = event.exitCode));
    await waitFor(() => screen.includes('Shall I go ahead'), 'the question');
    // It waits: nothing is committed until it gets an answer.
    expect(existsSync(join(path, 'work', `${bead.id}.md`))).toBe(false);
    expect(screen).toMatch(/\x1b\[\d+m/); // colored on a terminal
    pty.write('use the blue one\r');
    await waitFor(() => exitCode !== undefined, 'the agent to finish', { timeoutMs: 30_000 });
    expect(exitCode, screen).toBe(0);
    expect(readFileSync(join(path, 'work', `${bead.id}.md`), 'utf8')).toContain('answer: use the blue one');
    expect(t.beads().some((b) => b.type === 'merge_request' && b.bead === bead.id)).toBe(true);
  });
});
