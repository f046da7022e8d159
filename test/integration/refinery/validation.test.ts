import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bead } from '../../../src/model/bead.js';
import { validationsOf, VALIDATION_KIND, type ValidationRecord } from '../../../src/model/validation.js';
import { runRefinery } from '../../../src/refinery/refinery.js';
import { fingerprint } from '../../../src/town/trust.js';
import { runCli, runJson } from '../../helpers/cli.js';
import { git } from '../../helpers/git.js';
import { finishWork, mainLog, makeTown, type TestTown } from './town.js';

// A gate that fails when the candidate holds bad.txt (it runs in the refinery's worktree).
const gate = ['node', '-e', "process.exit(require('fs').existsSync('bad.txt') ? 1 : 0)"];

describe('validation records (issue 20)', () => {
  const towns: TestTown[] = [];
  afterEach(() => towns.splice(0).forEach((t) => t.dispose()));

  function town(config: Record<string, unknown> = {}): TestTown {
    const t = makeTown({ name: 'alpha', gates: [gate], ...config });
    towns.push(t);
    return t;
  }
  const validations = (t: TestTown, mr: string): ValidationRecord[] => validationsOf(t.town.journal.read(), mr);

  it('a landed request has an accepting validation by the refinery’s address, with the gates, their trust hash and the commit of main it produced', async () => {
    const t = town();
    const work = await finishWork(t, 'nux', 'parser', { 'a.txt': 'a\n' });
    const run = await runRefinery(t.root, { once: true });
    expect(run.merged).toEqual([work.request.id]);
    const main = git(t.root, 'rev-parse', 'main');
    const [record, ...more] = validations(t, work.request.id);
    expect(more).toEqual([]);
    expect(record).toMatchObject({
      id: `${work.request.id}.v1`,
      stage: 'gates',
      verdict: 'accepted',
      validator: 'refinery',
      validator_address: 'entity://citadel/alpha/refinery',
      merge_request: work.request.id,
      branch: work.branch,
      branch_commit: work.tip,
      bead: work.bead.id,
      worker: 'nux',
      worker_address: 'entity://citadel/alpha/nux',
      main_commit: main,
      gates_hash: fingerprint([gate]),
      reason: null,
    });
    expect(record!.gates.map((g) => [g.argv, g.code])).toEqual([[gate, 0]]);
    expect(Date.parse(record!.at)).toBeGreaterThan(0);
  });

  it('a gate failure and a conflict are rejecting validations with the reason', async () => {
    const t = town();
    const failing = await finishWork(t, 'nux', 'broken', { 'bad.txt': 'x\n' });
    const one = await finishWork(t, 'slit', 'one', { 'c.txt': 'one\n' });
    const two = await finishWork(t, 'furiosa', 'two', { 'c.txt': 'two\n' });
    const run = await runRefinery(t.root, { once: true });
    expect(run.rejected.sort()).toEqual([failing.request.id, two.request.id].sort());
    const [gateVerdict] = validations(t, failing.request.id);
    expect(gateVerdict).toMatchObject({ verdict: 'rejected', main_commit: null, branch_commit: failing.tip, reason: expect.stringMatching(/^gate `node -e .*` failed \(exited 1\)$/) });
    expect(gateVerdict!.gates.map((g) => g.code)).toEqual([1]);
    expect(validations(t, two.request.id)[0]).toMatchObject({ verdict: 'rejected', reason: 'conflicts with main in c.txt', gates: [] });
    expect(validations(t, one.request.id)[0]).toMatchObject({ verdict: 'accepted' });
    // The CV reads them: nux's work was rejected once and nothing of it landed.
    const cv = await runJson<{ validations: { received: { rejected: number }; revisions: number; landed: number } }>(['cv', 'nux'], { cwd: t.root });
    expect(cv.validations).toMatchObject({ received: { rejected: 1 }, revisions: 1, landed: 0 });
  });

  it('review required: a gated request is held until citadel approve, then lands; the approval is a record by the overseer’s address', async () => {
    const t = town({ review: 'required' });
    const work = await finishWork(t, 'nux', 'parser', { 'a.txt': 'a\n' });
    const before = git(t.root, 'rev-parse', 'main');
    const first = await runRefinery(t.root, { once: true });
    expect(first).toEqual({ merged: [], rejected: [], waiting: [work.request.id] });
    expect(git(t.root, 'rev-parse', 'main')).toBe(before);
    expect(t.bead(work.request.id)).toMatchObject({ state: 'queued', refinery: { stage: 'awaiting review', review: { state: 'awaiting', branch_commit: work.tip } } });
    expect(t.mail('overseer').filter((m) => m.subject?.startsWith('review:'))).toHaveLength(1);
    // Not taken again (no second gate run, no second mail) until a person decides.
    const again = await runRefinery(t.root, { once: true });
    expect(again.waiting).toEqual([work.request.id]);
    expect(t.mail('overseer').filter((m) => m.subject?.startsWith('review:'))).toHaveLength(1);
    const status = await runCli(['refinery', 'status'], { cwd: t.root });
    expect(status.stdout).toContain(`citadel approve ${work.request.id}`);

    const inPolecat = await runCli(['approve', work.request.id], { cwd: t.root, env: { CITADEL_POLECAT: 'nux' } });
    expect(inPolecat.code).toBe(1);
    expect(inPolecat.stderr.trim()).toMatch(/^citadel: citadel approve is refused inside a polecat/);

    const short = work.request.id.replace(/^ct-/, '');
    const approved = await runJson<{ merge_request: string; validation: ValidationRecord }>(['approve', short, '--note', 'clean and small'], { cwd: t.root });
    expect(approved.merge_request).toBe(work.request.id);
    expect(approved.validation).toMatchObject({ stage: 'review', verdict: 'accepted', validator: 'overseer', validator_address: 'entity://citadel/alpha/overseer', branch_commit: work.tip, note: 'clean and small' });

    const landed = await runRefinery(t.root, { once: true });
    expect(landed.merged).toEqual([work.request.id]);
    expect(mainLog(t.root).at(-1)).toBe(`${work.bead.id}: parser`);
    expect(validations(t, work.request.id).map((v) => [v.stage, v.verdict])).toEqual([
      ['review', 'accepted'],
      ['gates', 'accepted'],
    ]);
    const shown = await runCli(['bead', 'show', work.request.id], { cwd: t.root });
    expect(shown.stdout).toMatch(/validations:\n {2}✓ review entity:\/\/citadel\/alpha\/overseer .* at [0-9a-f]{10} {2}clean and small\n {2}✓ gates {2}entity:\/\/citadel\/alpha\/refinery .* main → [0-9a-f]{10}\n/);
    const cv = await runJson<{ validations: { accepted_first_time: number; landed: number; review_feedback: { verdict: string; note: string; by_address: string }[] } }>(['cv', 'nux'], { cwd: t.root });
    expect(cv.validations).toMatchObject({ accepted_first_time: 1, landed: 1 });
    expect(cv.validations.review_feedback).toEqual([expect.objectContaining({ verdict: 'accepted', note: 'clean and small', by_address: 'entity://citadel/alpha/overseer' })]);
    const again2 = await runCli(['approve', work.request.id], { cwd: t.root });
    expect(again2.code).toBe(1);
    expect(again2.stderr.trim()).toBe(`citadel: ${work.request.id} is already merged: nothing to approve`);
  });

  it('an approval is of one commit: new commits on the branch wait for a new review', async () => {
    const t = town({ review: 'required' });
    const work = await finishWork(t, 'nux', 'parser', { 'a.txt': 'a\n' });
    await runRefinery(t.root, { once: true });
    expect((await runCli(['approve', work.request.id], { cwd: t.root })).code).toBe(0);
    writeFileSync(join(work.worktree, 'b.txt'), 'b\n');
    git(work.worktree, 'add', '-A');
    git(work.worktree, 'commit', '-q', '-m', 'more');
    const tip = git(work.worktree, 'rev-parse', 'HEAD');
    expect((await runRefinery(t.root, { once: true })).waiting).toEqual([work.request.id]);
    expect(t.bead(work.request.id).refinery).toMatchObject({ review: { state: 'awaiting', branch_commit: tip } });
    expect(t.mail('overseer').filter((m) => m.subject?.startsWith('review:'))).toHaveLength(2);
    await runCli(['approve', work.request.id], { cwd: t.root });
    expect((await runRefinery(t.root, { once: true })).merged).toEqual([work.request.id]);
    expect(validations(t, work.request.id).at(-1)).toMatchObject({ stage: 'gates', branch_commit: tip });
  });

  it('a town that turns review off lands what waited for review', async () => {
    const t = town({ review: 'required' });
    const work = await finishWork(t, 'nux', 'parser', { 'a.txt': 'a\n' });
    expect((await runRefinery(t.root, { once: true })).waiting).toEqual([work.request.id]);
    t.configure({ name: 'alpha', gates: [gate] });
    expect((await runRefinery(t.root, { once: true })).merged).toEqual([work.request.id]);
    expect(validations(t, work.request.id).map((v) => [v.stage, v.verdict])).toEqual([['gates', 'accepted']]);
  });

  it('review required: reject bounces with the reason (bead back to its polecat, rework mail), visible in the CV', async () => {
    const t = town({ review: 'required' });
    const work = await finishWork(t, 'nux', 'parser', { 'a.txt': 'a\n' });
    await runRefinery(t.root, { once: true });
    const noReason = await runCli(['reject', work.request.id], { cwd: t.root });
    expect(noReason.code).toBe(2);
    const rejected = await runCli(['reject', work.request.id, '--reason', 'needs a test for the empty input'], { cwd: t.root });
    expect(rejected.code, rejected.stderr).toBe(0);
    expect(rejected.stdout).toContain(`rejected ${work.request.id}: needs a test for the empty input; ${work.bead.id} is back with nux`);
    expect(t.bead(work.request.id)).toMatchObject({ state: 'rejected', reason: 'rejected in review by overseer: needs a test for the empty input' });
    expect(t.bead(work.bead.id)).toMatchObject({ status: 'in_progress', assignee: 'nux' });
    const rework = t.mail('nux').find((m) => m.subject?.startsWith('rework:')) as Bead;
    expect(rework.body).toContain('needs a test for the empty input');
    expect(validations(t, work.request.id)).toEqual([
      expect.objectContaining({ stage: 'review', verdict: 'rejected', validator_address: 'entity://citadel/alpha/overseer', note: 'needs a test for the empty input', branch_commit: work.tip }),
    ]);
    expect((await runCli(['bead', 'show', work.request.id], { cwd: t.root })).stdout).toMatch(/✗ review entity:\/\/citadel\/alpha\/overseer .* {2}rejected in review by overseer: needs a test for the empty input — needs a test for the empty input/);
    // The refinery leaves it alone from now on.
    expect((await runRefinery(t.root, { once: true })).merged).toEqual([]);

    const cv = await runCli(['cv', 'nux'], { cwd: t.root });
    expect(cv.stdout).toMatch(/validations: +0 accepted, 1 rejected; nothing landed yet, 1 revision/);
    expect(cv.stdout).toMatch(/review feedback:\n.*rejected +ct-\S+ +by overseer +needs a test for the empty input/);
    const overseer = await runJson<{ validations: { given: { rejected: number } } }>(['cv', 'overseer'], { cwd: t.root });
    expect(overseer.validations.given.rejected).toBe(1);
    expect(t.town.journal.read().all(VALIDATION_KIND).size).toBe(1);
  });
});
