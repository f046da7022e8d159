import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runRefinery } from '../../../src/refinery/refinery.js';
import { refineryStatus } from '../../../src/refinery/status.js';
import { git } from '../../helpers/git.js';
import { waitFor } from '../../helpers/temp.js';
import { finishWork, mainLog, makeTown, type TestTown } from './town.js';

describe('the refinery', () => {
  const towns: TestTown[] = [];
  afterEach(() => towns.splice(0).forEach((t) => t.dispose()));
  const town = (config: Record<string, unknown> = {}): TestTown => {
    const t = makeTown(config);
    towns.push(t);
    return t;
  };

  it('lands three polecats finishing together, by priority then age, with every commit on main', async () => {
    const t = town();
    const a = await finishWork(t, 'nux', 'first feature', { 'a.txt': 'a\n' });
    const b = await finishWork(t, 'furiosa', 'urgent fix', { 'b.txt': 'b\n' }, { priority: 0 });
    const c = await finishWork(t, 'slit', 'third feature', { 'c.txt': 'c\n' });
    const run = await runRefinery(t.root, { once: true });
    expect(run.merged).toEqual([b.request.id, a.request.id, c.request.id]);
    expect(mainLog(t.root)).toEqual(['initial commit', `${b.bead.id}: urgent fix`, `${a.bead.id}: first feature`, `${c.bead.id}: third feature`]);
    for (const f of [a, b, c]) {
      const mr = t.bead(f.request.id);
      expect(mr.state).toBe('merged');
      expect(mr.status).toBe('closed');
      expect(t.bead(f.bead.id).status).toBe('closed');
      expect(t.bead(f.bead.id).close_reason).toMatch(/merged to main/);
      // The polecat's branch is untouched.
      expect(git(t.root, 'rev-parse', f.branch)).toBe(f.tip);
    }
    expect(t.mail('nux').map((m) => m.subject)).toEqual(['merged: first feature']);
    // The main working tree (clean, on main) followed main.
    expect(readFileSync(join(t.root, 'c.txt'), 'utf8')).toBe('c\n');
    expect(git(t.root, 'status', '--porcelain')).toBe('');
    const validation = t.bead(a.request.id).refinery?.validation as { validator: string; merged_sha: string };
    expect(validation.validator).toBe('refinery');
    const status = refineryStatus(t.town.journal.read());
    expect(status.queue).toEqual([]);
    expect(status.current).toBeNull();
    expect(status.recent.map((item) => item.id)).toHaveLength(3);
    expect(status.counts.merged).toBe(3);
  });

  it('bounces a conflict with the branch exactly as it was, and hands the bead back', async () => {
    const t = town();
    const a = await finishWork(t, 'nux', 'greet in English', { 'README.md': 'hello\n' });
    const b = await finishWork(t, 'furiosa', 'greet in French', { 'README.md': 'bonjour\n' });
    const run = await runRefinery(t.root, { once: true });
    expect(run.merged).toEqual([a.request.id]);
    expect(run.rejected).toEqual([b.request.id]);
    const mr = t.bead(b.request.id);
    expect(mr.state).toBe('rejected');
    expect(mr.reason).toMatch(/conflicts with main in README\.md/);
    expect(mr.refinery?.conflicts).toEqual(['README.md']);
    expect(git(t.root, 'rev-parse', b.branch)).toBe(b.tip);
    expect(git(b.worktree, 'status', '--porcelain')).toBe('');
    const bead = t.bead(b.bead.id);
    expect(bead.status).toBe('in_progress');
    expect(bead.assignee).toBe('furiosa');
    const rework = t.mail('furiosa');
    expect(rework).toHaveLength(1);
    expect(rework[0]!.subject).toBe('rework: greet in French');
    expect(rework[0]!.body).toMatch(/README\.md/);
    expect(readFileSync(join(t.root, 'README.md'), 'utf8')).toBe('hello\n');
    // The refinery's own worktree is clean and not mid-rebase.
    const ws = join(t.root, '.citadel', 'worktrees', '_refinery');
    expect(git(ws, 'status', '--porcelain')).toBe('');
  });

  it('bounces to the ready queue when configured so', async () => {
    const t = town({ bounceTo: 'ready' });
    await finishWork(t, 'nux', 'one', { 'README.md': 'one\n' });
    const b = await finishWork(t, 'furiosa', 'two', { 'README.md': 'two\n' });
    await runRefinery(t.root, { once: true });
    expect(t.bead(b.bead.id).status).toBe('open');
    expect(t.bead(b.bead.id).assignee).toBeNull();
  });

  it('bounces a failing gate with its command and the tail of its output', async () => {
    const gate = ['node', '-e', "const fs=require('fs'); if (fs.existsSync('broken.txt')) { console.log('checking...'); console.error('FAIL: broken.txt must not exist'); process.exit(3) } console.log('all good')"];
    const t = town({ gates: [gate] });
    const good = await finishWork(t, 'nux', 'good change', { 'good.txt': 'ok\n' });
    const bad = await finishWork(t, 'furiosa', 'bad change', { 'broken.txt': 'x\n' });
    const run = await runRefinery(t.root, { once: true });
    expect(run.merged).toEqual([good.request.id]);
    expect(run.rejected).toEqual([bad.request.id]);
    const mr = t.bead(bad.request.id);
    expect(mr.reason).toMatch(/gate `node -e .*` failed \(exited 3\)/);
    const failure = mr.refinery?.gate as { code: number; tail: string };
    expect(failure.code).toBe(3);
    expect(failure.tail).toContain('FAIL: broken.txt must not exist');
    const log = readFileSync(join(t.root, mr.refinery?.log as string), 'utf8');
    expect(log).toContain('FAIL: broken.txt must not exist');
    expect(log).toContain('-- exit 3');
    expect(t.mail('furiosa')[0]!.body).toContain('FAIL: broken.txt must not exist');
    expect(git(t.root, 'rev-parse', bad.branch)).toBe(bad.tip);
    expect(existsSync(join(t.root, 'broken.txt'))).toBe(false);
    const validation = t.bead(good.request.id).refinery?.validation as { gates: { argv: string[]; ms: number; code: number }[] };
    expect(validation.gates).toHaveLength(1);
    expect(validation.gates[0]!.code).toBe(0);
  });

  it('does not blame a branch when the gate fails on main itself', async () => {
    const gate = ['node', '-e', "process.exit(require('fs').existsSync('main-is-broken.txt') ? 1 : 0)"];
    const t = town({ gates: [gate] });
    writeFileSync(join(t.root, 'main-is-broken.txt'), 'oops\n');
    git(t.root, 'add', 'main-is-broken.txt');
    git(t.root, 'commit', '-q', '-m', 'human breaks main');
    const work = await finishWork(t, 'nux', 'innocent', { 'x.txt': 'x\n' });
    const run = await runRefinery(t.root, { once: true });
    expect(run.rejected).toEqual([]);
    expect(run.waiting).toEqual([work.request.id]);
    expect(t.bead(work.request.id).state).toBe('queued');
    expect(t.mail('nux')).toEqual([]);
    const overseer = t.mail('overseer');
    expect(overseer.map((m) => m.subject)).toEqual([expect.stringMatching(/^main is broken/)]);
    expect(refineryStatus(t.town.journal.read()).main_broken?.sha).toBe(git(t.root, 'rev-parse', 'main'));
    // A human fixes main: the request lands and main is healthy again.
    git(t.root, 'rm', '-q', 'main-is-broken.txt');
    git(t.root, 'commit', '-q', '-m', 'human fixes main');
    const again = await runRefinery(t.root, { once: true });
    expect(again.merged).toEqual([work.request.id]);
    expect(refineryStatus(t.town.journal.read()).main_broken).toBeNull();
    expect(mainLog(t.root)).toContain('human fixes main');
  });

  it('keeps a human commit made on main between two requests, and one made while a request is in its gates', async () => {
    // The gate commits on main from the user's checkout the first time it runs: main moves mid-request.
    const gate = [
      'node',
      '-e',
      "const {execFileSync}=require('child_process'); const fs=require('fs'); const path=require('path'); const root=process.env.CITADEL_TOWN; const m=path.join(root,'.citadel','moved'); if(!fs.existsSync(m)){fs.writeFileSync(m,''); fs.writeFileSync(path.join(root,'human2.txt'),'h2\\n'); execFileSync('git',['add','human2.txt'],{cwd:root}); execFileSync('git',['commit','-q','-m','human commit during a gate'],{cwd:root})}",
    ];
    const t = town();
    const a = await finishWork(t, 'nux', 'first', { 'a.txt': 'a\n' });
    await runRefinery(t.root, { once: true });
    writeFileSync(join(t.root, 'human.txt'), 'h\n');
    git(t.root, 'add', 'human.txt');
    git(t.root, 'commit', '-q', '-m', 'human commit between requests');
    t.configure({ gates: [gate] });
    const b = await finishWork(t, 'furiosa', 'second', { 'b.txt': 'b\n' });
    const run = await runRefinery(t.root, { once: true });
    expect(run.merged).toEqual([b.request.id]);
    expect(mainLog(t.root)).toEqual(['initial commit', `${a.bead.id}: first`, 'human commit between requests', 'human commit during a gate', `${b.bead.id}: second`]);
    expect(t.bead(b.request.id).refinery?.attempts).toBe(2);
  });

  it('holds a landing when the checkout of main has local changes it would overwrite, then lands once they are gone', async () => {
    const t = town();
    const a = await finishWork(t, 'nux', 'edit readme', { 'README.md': 'new readme\n' });
    writeFileSync(join(t.root, 'README.md'), 'my local edit\n');
    const before = git(t.root, 'rev-parse', 'main');
    const run = await runRefinery(t.root, { once: true });
    expect(run.waiting).toEqual([a.request.id]);
    expect(git(t.root, 'rev-parse', 'main')).toBe(before);
    expect(readFileSync(join(t.root, 'README.md'), 'utf8')).toBe('my local edit\n');
    expect(t.bead(a.request.id).state).toBe('queued');
    expect(refineryStatus(t.town.journal.read()).queue[0]!.reason).toMatch(/local changes.*README\.md/);
    expect(t.mail('overseer')).toHaveLength(1);
    git(t.root, 'checkout', '--', 'README.md');
    const again = await runRefinery(t.root, { once: true });
    expect(again.merged).toEqual([a.request.id]);
    expect(readFileSync(join(t.root, 'README.md'), 'utf8')).toBe('new readme\n');
  });

  it('moves main by update-ref when the user has another branch checked out, leaving that checkout alone', async () => {
    const t = town({ mergeMode: 'merge' });
    git(t.root, 'switch', '-q', '-c', 'experiment');
    writeFileSync(join(t.root, 'scratch.txt'), 'mine\n');
    const a = await finishWork(t, 'nux', 'feature', { 'a.txt': 'a\n' });
    await runRefinery(t.root, { once: true });
    expect(t.bead(a.request.id).state).toBe('merged');
    expect(git(t.root, 'log', '-1', '--format=%s', 'main')).toMatch(/^Merge polecat\/nux\//);
    expect(git(t.root, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('experiment');
    expect(existsSync(join(t.root, 'a.txt'))).toBe(false);
    expect(readFileSync(join(t.root, 'scratch.txt'), 'utf8')).toBe('mine\n');
  });

  it('runs the molecule step’s Gate: from the bead', async () => {
    const t = town();
    const a = await finishWork(t, 'nux', 'step with a gate', { 'a.txt': 'a\n' }, { fields: { gate: `node -e 'process.exit(require("fs").existsSync("a.txt") ? 5 : 0)'` } });
    await runRefinery(t.root, { once: true });
    const mr = t.bead(a.request.id);
    expect(mr.state).toBe('rejected');
    expect(mr.reason).toMatch(/exited 5/);
  });

  it('fails a gate that runs past its timeout, ending the whole process group', async () => {
    const gate = ['node', '-e', "const fs=require('fs'); if (fs.existsSync('hang.txt')) { const c = require('child_process').spawn('sleep', ['300'], { stdio: 'ignore' }); fs.writeFileSync(require('path').join(process.env.CITADEL_TOWN, '.citadel', 'sleep.pid'), String(c.pid)); console.log('hanging'); setInterval(() => {}, 1000) }"];
    const t = town({ gates: [gate], gateTimeoutSeconds: 1 });
    const work = await finishWork(t, 'nux', 'hangs the tests', { 'hang.txt': 'x\n' });
    await runRefinery(t.root, { once: true });
    const mr = t.bead(work.request.id);
    expect(mr.state).toBe('rejected');
    expect(mr.reason).toMatch(/timed out after 1 s/);
    expect((mr.refinery?.gate as { timed_out: boolean }).timed_out).toBe(true);
    expect(readFileSync(join(t.root, mr.refinery?.log as string), 'utf8')).toContain('hanging');
    // The gate's own child (a test runner's worker, say) was ended with it.
    const child = Number(readFileSync(join(t.root, '.citadel', 'sleep.pid'), 'utf8'));
    await waitFor(() => {
      try {
        process.kill(child, 0);
        return false;
      } catch {
        return true;
      }
    }, 'the gate child to be gone');
  });

  it('bounces a conflict in merge mode too, leaving the workspace clean', async () => {
    const t = town({ mergeMode: 'merge' });
    const a = await finishWork(t, 'nux', 'one', { 'README.md': 'one\n' });
    const b = await finishWork(t, 'furiosa', 'two', { 'README.md': 'two\n' });
    const run = await runRefinery(t.root, { once: true });
    expect(run.merged).toEqual([a.request.id]);
    expect(run.rejected).toEqual([b.request.id]);
    expect(t.bead(b.request.id).refinery?.conflicts).toEqual(['README.md']);
    expect(git(t.root, 'rev-parse', b.branch)).toBe(b.tip);
    expect(git(join(t.root, '.citadel', 'worktrees', '_refinery'), 'status', '--porcelain')).toBe('');
  });
});
