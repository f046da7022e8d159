import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { claimBead, closeBead, createBead, getBead } from '../../../src/model/index.js';
import {
  composeMolecule,
  failStep,
  moleculeStatus,
  pourMolecule,
  releaseStep,
  releaseStepsHeldBy,
  resolveMolecule,
  type ResolvedMolecule,
  type StepBead,
} from '../../../src/molecules/index.js';
import { openMoleculeLibrary } from '../../../src/town/molecules.js';
import { memoryTown } from '../model/fixtures.js';

/** Pour, status and recovery on an in-memory journal (the CLI tests run the same on disk). */
const here = fileURLToPath(new URL('.', import.meta.url));
const fixtures = openMoleculeLibrary({ builtinDir: `${here}fixtures`, cwd: here });
const builtins = openMoleculeLibrary({ cwd: here });

const resolved = (name: string, vars: Record<string, string> = {}, lib = fixtures): ResolvedMolecule =>
  resolveMolecule(composeMolecule(name, lib), vars);

describe('pour', () => {
  it('creates the epic and one step bead per step, wired by needs, in one mutation', () => {
    const { journal, as } = memoryTown();
    const { epic, steps } = journal.mutate(pourMolecule(as('overseer'), resolved('good-basic', { issue: 'login crash' })));
    expect(journal.log).toHaveLength(4);
    expect(new Set(journal.log.map((r) => r.seq))).toEqual(new Set([1, 2, 3, 4]));
    expect(epic).toMatchObject({ type: 'epic', title: 'Quick fix: login crash', molecule: 'good-basic', vars: { issue: 'login crash', area: 'src' } });
    expect(steps.map((s) => [s.id, s.step, s.needs, s.parent, s.type])).toEqual([
      [`${epic.id}.1`, 'reproduce', [], epic.id, 'step'],
      [`${epic.id}.2`, 'fix', [`${epic.id}.1`], epic.id, 'step'],
      [`${epic.id}.3`, 'review', [`${epic.id}.2`], epic.id, 'step'],
    ]);
    expect(steps[1]).toMatchObject({ acceptance: 'the new test passes', gate: 'npm test', role: 'polecat', failures: [], releases: [] });
    expect(steps[2]!.role).toBe('overseer');
    expect(steps[0]!.body).toBe('Write a failing test that shows login crash.');
    expect(steps[0]!.title).toBe('reproduce — Quick fix: login crash');
  });

  it('pouring twice makes two independent instances', () => {
    const { journal, as } = memoryTown();
    const first = journal.mutate(pourMolecule(as('overseer'), resolved('good-basic', { issue: 'a' })));
    const second = journal.mutate(pourMolecule(as('overseer'), resolved('good-basic', { issue: 'b' })));
    expect(first.epic.id).not.toBe(second.epic.id);
    expect(moleculeStatus(journal.read(), first.epic.id).steps).toHaveLength(3);
    expect(moleculeStatus(journal.read(), second.epic.id).title).toBe('Quick fix: b');
  });

  it('writes nothing when any part of the pour fails (all or nothing)', () => {
    const { journal, as } = memoryTown();
    const good = resolved('good-basic', { issue: 'x' });
    // A step needing a step that does not exist fails after the epic and a step were created.
    const broken: ResolvedMolecule = { ...good, steps: [...good.steps, { ...good.steps[0]!, id: 'late', needs: ['ghost'] }] };
    expect(() => journal.mutate(pourMolecule(as('overseer'), broken))).toThrow();
    expect(journal.log).toHaveLength(0);
    expect(journal.read().all('beads').size).toBe(0);
  });

  it('pours composed molecules: a diamond include appears once, with needs across includes', () => {
    const { journal, as } = memoryTown();
    const { epic, steps } = journal.mutate(pourMolecule(as('overseer'), resolved('diamond-top')));
    expect(steps.map((s) => s.step)).toEqual(['l.base.setup', 'l.work', 'r.work', 'finish']);
    expect(steps[3]!.needs).toEqual([`${epic.id}.2`, `${epic.id}.3`, `${epic.id}.1`]);
    expect(moleculeStatus(journal.read(), epic.id).ready).toEqual([`${epic.id}.1`]);
  });
});

describe('step states', () => {
  it('moves pending → ready → in_progress → closed, and the epic closes with its last step', () => {
    const { journal, as } = memoryTown();
    const { epic } = journal.mutate(pourMolecule(as('overseer'), resolved('quick-fix', { issue: 'crash' }, builtins)));
    const states = (): string[] => moleculeStatus(journal.read(), epic.id).steps.map((s) => s.state);
    expect(states()).toEqual(['ready', 'pending', 'pending', 'pending']);
    for (let n = 1; n <= 4; n++) {
      const id = `${epic.id}.${n}`;
      journal.mutate(claimBead(as('nux'), id));
      const status = moleculeStatus(journal.read(), epic.id);
      expect(status.steps[n - 1]).toMatchObject({ state: 'in_progress', holder: 'nux' });
      expect(status.ready).toEqual([]);
      journal.mutate(closeBead(as('nux'), id, 'done'));
    }
    const done = moleculeStatus(journal.read(), `${epic.id}.2`);
    expect(done).toMatchObject({ id: epic.id, done: true, status: 'closed', counts: { closed: 4, total: 4 } });
    expect(getBead(journal.read(), epic.id).close_reason).toBe('every step is closed');
  });

  it('reports why a pending step waits', () => {
    const { journal, as } = memoryTown();
    const { epic } = journal.mutate(pourMolecule(as('overseer'), resolved('good-basic', { issue: 'x' })));
    const status = moleculeStatus(journal.read(), epic.id);
    expect(status.steps[1]).toMatchObject({ state: 'pending', waiting_on: [`${epic.id}.1`] });
  });

  it('refuses a bead that is not a molecule instance', () => {
    const { journal, as } = memoryTown();
    const task = journal.mutate(createBead(as('overseer'), { title: 'plain task' }));
    expect(() => moleculeStatus(journal.read(), task.id)).toThrow(/not a molecule instance/);
  });
});

describe('recovery', () => {
  function started() {
    const town = memoryTown();
    const { epic } = town.journal.mutate(pourMolecule(town.as('overseer'), resolved('good-basic', { issue: 'x' })));
    town.journal.mutate(claimBead(town.as('nux'), `${epic.id}.1`));
    return { ...town, epic };
  }

  it('a failed step returns to ready with the failure recorded on it', () => {
    const { journal, as, epic } = started();
    const step = journal.mutate(failStep(`${epic.id}.1`, 'tests are red', as('refinery')));
    expect(step).toMatchObject({ status: 'open', assignee: null });
    expect(step.failures).toEqual([{ at: expect.any(String), by: 'refinery', holder: 'nux', reason: 'tests are red' }]);
    expect(moleculeStatus(journal.read(), epic.id).ready).toEqual([`${epic.id}.1`]);
    // Re-run by another polecat, failed again: both failures are kept.
    journal.mutate(claimBead(as('max'), `${epic.id}.1`));
    const again = journal.mutate(failStep(`${epic.id}.1`, 'still red', 'refinery'));
    expect(again.failures?.map((f) => [f.holder, f.reason])).toEqual([['nux', 'tests are red'], ['max', 'still red']]);
  });

  it('a step whose holder is gone returns to ready; one nobody holds is left alone', () => {
    const { journal, as, epic } = started();
    const step = journal.mutate(releaseStep(`${epic.id}.1`, 'polecat nux exited', as('witness')));
    expect(step).toMatchObject({ status: 'open', assignee: null, releases: [{ by: 'witness', holder: 'nux', reason: 'polecat nux exited' }] });
    const records = journal.log.length;
    journal.mutate(releaseStep(`${epic.id}.1`, 'again'));
    expect(journal.log).toHaveLength(records);
  });

  it('never reopens or duplicates a closed step', () => {
    const { journal, as, epic } = started();
    journal.mutate(closeBead(as('nux'), `${epic.id}.1`));
    journal.mutate(claimBead(as('nux'), `${epic.id}.2`));
    expect(() => journal.mutate(failStep(`${epic.id}.1`, 'late failure', 'refinery'))).toThrow(/closed: a completed step is never reopened/);
    expect(() => journal.mutate(releaseStep(`${epic.id}.1`, 'gone'))).toThrow(/never reopened/);
    const released = journal.mutate(releaseStepsHeldBy('nux', 'polecat nux exited'));
    expect(released.map((s) => s.id)).toEqual([`${epic.id}.2`]);
    const status = moleculeStatus(journal.read(), epic.id);
    expect(status.steps.map((s) => s.state)).toEqual(['closed', 'ready', 'pending']);
    expect(journal.read().all('beads').size).toBe(4);
  });

  it('refuses to fail or release what is not a step, and a failure without a reason', () => {
    const { journal, as, epic } = started();
    expect(() => journal.mutate(failStep(epic.id, 'x', as('overseer')))).toThrow(/is an epic, not a molecule step/);
    expect(() => journal.mutate(failStep(`${epic.id}.1`, '  ', as('overseer')))).toThrow(/reason is required/);
    expect((getBead(journal.read(), `${epic.id}.1`) as StepBead).assignee).toBe('nux');
  });
});
