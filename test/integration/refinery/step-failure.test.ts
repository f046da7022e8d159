import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { primeFor } from '../../../src/agent-cli/prime-for-town.js';
import { runRefinery } from '../../../src/refinery/refinery.js';
import { fileMergeRequest, inspectSubmission } from '../../../src/refinery/submit.js';
import { ensureWorktree } from '../../../src/git/worktree.js';
import { modelContext } from '../../../src/model/context.js';
import { claimBead } from '../../../src/model/operations.js';
import { composeMolecule, moleculeStatus, parseMolecule, pourMolecule, resolveMolecule, type MoleculeLibrary, type StepBead } from '../../../src/molecules/index.js';
import { git } from '../../helpers/git.js';
import { makeTown, type TestTown } from './town.js';

/** A one-molecule library for composeMolecule. */
const molecule = `# Guarded change
## Step: change
Gate: node -e "if (require('fs').existsSync('bad.txt')) { console.error('FAIL: bad.txt must not exist'); process.exit(4) }"
Make the change.

## Step: after
Needs: change
Then this.
`;

describe('the refinery and molecule steps', () => {
  const towns: TestTown[] = [];
  afterEach(() => towns.splice(0).forEach((t) => t.dispose()));

  it('records a failing gate on the molecule step it bounces, for molecule status and prime', async () => {
    const t = makeTown();
    towns.push(t);
    const template = parseMolecule('guarded', 'guarded.md', molecule);
    const library: MoleculeLibrary = { get: (name) => (name === 'guarded' ? template : undefined), names: () => ['guarded'] };
    const resolved = resolveMolecule(composeMolecule('guarded', library), {});
    const { value: poured } = await t.town.journal.mutate(pourMolecule(modelContext('overseer', 'ct'), resolved));
    const step = poured.steps[0]!;
    t.trust(); // poured in-process: trusted as `citadel molecule pour` by the user does
    await t.town.journal.mutate(claimBead(modelContext('nux', 'ct'), step.id));

    const wt = await ensureWorktree(t.root, 'nux', step.id, { mainBranch: 'main' });
    writeFileSync(join(wt.path, 'bad.txt'), 'oops\n');
    git(wt.path, 'add', '-A');
    git(wt.path, 'commit', '-q', '-m', `${step.id}: change`);
    const submission = await inspectSubmission(wt.path, 'main');
    const { value } = await t.town.journal.mutate(fileMergeRequest(modelContext('nux', 'ct'), { submission, polecat: 'nux', bead: step.id, message: undefined }));

    await runRefinery(t.root, { once: true });
    expect(t.bead(value.request.id).state).toBe('rejected');

    // The failure is on the step, the step is handed back to its polecat (bounceTo "polecat").
    const status = moleculeStatus(t.town.journal.read(), poured.epic.id);
    const failed = status.steps[0]!;
    expect(failed.state).toBe('in_progress');
    expect(failed.holder).toBe('nux');
    expect(failed.failures).toHaveLength(1);
    expect(failed.failures[0]).toMatchObject({ by: 'refinery', holder: 'nux' });
    expect(failed.failures[0]!.reason).toMatch(/gate `node -e .*` exited 4 .*merge request .*FAIL: bad\.txt must not exist/);
    expect((t.bead(step.id) as StepBead).failures).toHaveLength(1);

    // prime shows it to the agent that picks the step up again.
    const { text } = primeFor(t.town, step.id, 'nux');
    expect(text).toMatch(/A previous attempt failed \(refinery, .*\): the refinery's gate `node -e.*citadel done` again/);
    expect(text).not.toMatch(/was bounced by the refinery/); // said once, not twice
  });

  it('does not record a conflict as a failure of the step', async () => {
    const t = makeTown({ bounceTo: 'ready' });
    towns.push(t);
    const template = parseMolecule('guarded', 'guarded.md', molecule);
    const library: MoleculeLibrary = { get: (name) => (name === 'guarded' ? template : undefined), names: () => ['guarded'] };
    const resolved = resolveMolecule(composeMolecule('guarded', library), {});
    const { value: poured } = await t.town.journal.mutate(pourMolecule(modelContext('overseer', 'ct'), resolved));
    const step = poured.steps[0]!;
    t.trust(); // poured in-process: trusted as `citadel molecule pour` by the user does
    await t.town.journal.mutate(claimBead(modelContext('nux', 'ct'), step.id));
    const wt = await ensureWorktree(t.root, 'nux', step.id, { mainBranch: 'main' });
    writeFileSync(join(wt.path, 'README.md'), 'polecat version\n');
    git(wt.path, 'commit', '-q', '-am', `${step.id}: change`);
    writeFileSync(join(t.root, 'README.md'), 'human version\n');
    git(t.root, 'commit', '-q', '-am', 'human edit');
    const submission = await inspectSubmission(wt.path, 'main');
    const { value } = await t.town.journal.mutate(fileMergeRequest(modelContext('nux', 'ct'), { submission, polecat: 'nux', bead: step.id, message: undefined }));

    await runRefinery(t.root, { once: true });
    expect(t.bead(value.request.id).state).toBe('rejected');
    const bounced = t.bead(step.id) as StepBead;
    expect(bounced.failures).toEqual([]);
    expect(bounced).toMatchObject({ status: 'open', assignee: null });
  });
});
