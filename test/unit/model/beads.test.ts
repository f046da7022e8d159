import { describe, expect, it } from 'vitest';
import {
  addNeed,
  beadsOf,
  claimBead,
  closeBead,
  createBead,
  getBead,
  readyQueue,
  releaseBead,
  removeNeed,
  setMergeRequestState,
  stepId,
  transact,
  updateBead,
  type Bead,
} from '../../../src/model/index.js';
import { errorOf } from '../../helpers/errors.js';
import { memoryTown } from './fixtures.js';


describe('creating beads', () => {
  it('creates a bead with the contract shape, in the contract key order', () => {
    const { journal, as } = memoryTown();
    const bead = journal.mutate(createBead(as('overseer'), { title: '  Fix the login bug ', type: 'bug', priority: '1', labels: ['ui', 'ui'] }));
    expect(Object.keys(bead)).toEqual([
      'id', 'type', 'title', 'body', 'status', 'priority', 'labels', 'assignee', 'needs', 'parent',
      'created_by', 'created_at', 'updated_at', 'closed_at', 'close_reason',
    ]);
    expect(bead).toMatchObject({ type: 'bug', title: 'Fix the login bug', body: '', status: 'open', priority: 1, labels: ['ui'], assignee: null, needs: [], parent: null, created_by: 'overseer', closed_at: null, close_reason: null });
    expect(bead.id).toMatch(/^ct-[0-9a-z]{4}$/);
    expect(journal.log).toHaveLength(1);
    expect(journal.log[0]).toMatchObject({ action: 'create', kind: 'beads', id: bead.id });
  });

  it('refuses bad input with one clear line and writes nothing', () => {
    const { journal, as } = memoryTown();
    const ctx = as('overseer');
    expect(errorOf(() => journal.mutate(createBead(ctx, { title: '   ' }))).message).toMatch(/title is empty/);
    expect(errorOf(() => journal.mutate(createBead(ctx, { title: 'a\nb' }))).message).toMatch(/one line/);
    expect(errorOf(() => journal.mutate(createBead(ctx, { title: 'x', priority: 7 }))).message).toMatch(/priority must be 0 \(highest\) to 4/);
    expect(errorOf(() => journal.mutate(createBead(ctx, { title: 'x', priority: 'high' }))).code).toBe('invalid');
    expect(errorOf(() => journal.mutate(createBead(ctx, { title: 'x', type: 'story' as never }))).message).toMatch(/unknown bead type "story"/);
    expect(errorOf(() => journal.mutate(createBead(ctx, { title: 'x', needs: ['ct-zzzz'] }))).code).toBe('not_found');
    expect(errorOf(() => journal.mutate(createBead(ctx, { title: 'x', parent: 'ct-zzzz' }))).message).toMatch(/parent bead ct-zzzz not found/);
    expect(errorOf(() => journal.mutate(createBead(ctx, { title: 'x', labels: ['two words'] }))).message).toMatch(/bad label/);
    expect(journal.log).toHaveLength(0);
  });

  it('takes explicit step ids for molecule steps and refuses a taken one', () => {
    const { journal, as } = memoryTown();
    const ctx = as('overseer');
    const epic = journal.mutate(createBead(ctx, { title: 'Quick fix', type: 'epic', molecule: 'quick-fix' }));
    const step = journal.mutate(createBead(ctx, { title: 'reproduce', type: 'step', id: stepId(epic.id, 1), parent: epic.id, fields: { step: 'reproduce' } }));
    expect(step.id).toBe(`${epic.id}.1`);
    expect((step as Record<string, unknown>).step).toBe('reproduce');
    expect(errorOf(() => journal.mutate(createBead(ctx, { title: 'again', id: step.id }))).code).toBe('conflict');
    expect(errorOf(() => journal.mutate(createBead(ctx, { title: 'x', fields: { status: 'closed' } }))).message).toMatch(/"status"/);
  });

  it('draws unique ids that grow with the town', () => {
    const { journal, as } = memoryTown();
    const ctx = as('overseer');
    const made = journal.mutate(transact(ctx, (tx) => Array.from({ length: 2000 }, (_, i) => tx.create({ title: `bead ${i}` }).id)));
    expect(new Set(made).size).toBe(2000);
    expect(made.every((id) => /^ct-[0-9a-z]{4,}$/.test(id))).toBe(true);
  });
});

describe('claiming', () => {
  it('claims an unclaimed bead for the actor; a second claimer gets a conflict', () => {
    const { journal, as } = memoryTown();
    const bead = journal.mutate(createBead(as('overseer'), { title: 'work' }));
    const claimed = journal.mutate(claimBead(as('nux'), bead.id));
    expect(claimed).toMatchObject({ assignee: 'nux', status: 'in_progress' });
    const error = errorOf(() => journal.mutate(claimBead(as('slit'), bead.id)));
    expect(error.code).toBe('conflict');
    expect(error.message).toBe(`${bead.id} is already claimed by nux: pick another from \`citadel ready\``);
    expect(errorOf(() => journal.mutate(claimBead(as('nux'), bead.id))).message).toMatch(/already claimed by you \(nux\)/);
    expect(journal.log.map((r) => r.action)).toEqual(['create', 'claim']);
  });

  it('finds a bead typed in upper case or without the town prefix', () => {
    const { journal, as } = memoryTown();
    const bead = journal.mutate(createBead(as('overseer'), { title: 'work' }));
    const bare = bead.id.slice('ct-'.length);
    expect(journal.mutate(claimBead(as('nux'), bare.toUpperCase())).id).toBe(bead.id);
    expect(getBead(journal.read(), bare, 'ct').id).toBe(bead.id);
    expect(errorOf(() => getBead(journal.read(), bare)).code).toBe('not_found');
  });

  it('refuses to claim closed beads, mail, and unknown ids', () => {
    const { journal, as } = memoryTown();
    const bead = journal.mutate(createBead(as('overseer'), { title: 'work' }));
    journal.mutate(closeBead(as('overseer'), bead.id));
    expect(errorOf(() => journal.mutate(claimBead(as('nux'), bead.id))).message).toMatch(/is closed/);
    expect(errorOf(() => journal.mutate(claimBead(as('nux'), 'ct-nope'))).code).toBe('not_found');
    expect(errorOf(() => journal.mutate(claimBead(as('nux'), 'not an id!'))).code).toBe('invalid');
  });

  it('refuses to claim a bead whose needs are not closed, naming them', () => {
    const { journal, as } = memoryTown();
    const blocker = journal.mutate(createBead(as('overseer'), { title: 'first' }));
    const blocked = journal.mutate(createBead(as('overseer'), { title: 'second', needs: [blocker.id] }));
    const error = errorOf(() => journal.mutate(claimBead(as('nux'), blocked.id)));
    expect(error.code).toBe('refused');
    expect(error.message).toContain(`${blocked.id} is blocked by ${blocker.id}`);
    journal.mutate(closeBead(as('overseer'), blocker.id));
    expect(journal.mutate(claimBead(as('nux'), blocked.id))).toMatchObject({ assignee: 'nux', status: 'in_progress' });
  });

  it('puts a reopened or re-opened bead back in the ready queue, unclaimed', () => {
    const { journal, as } = memoryTown();
    const bead = journal.mutate(createBead(as('overseer'), { title: 'work' }));
    journal.mutate(claimBead(as('nux'), bead.id));
    journal.mutate(closeBead(as('nux'), bead.id));
    expect(journal.mutate(updateBead(as('overseer'), bead.id, { status: 'open' }))).toMatchObject({ status: 'open', assignee: null });
    expect(readyQueue(beadsOf(journal.read())).map((b) => b.id)).toEqual([bead.id]);
    journal.mutate(claimBead(as('nux'), bead.id));
    expect(journal.mutate(updateBead(as('overseer'), bead.id, { status: 'open', assignee: 'slit' }))).toMatchObject({ status: 'open', assignee: 'slit' });
  });

  it('releases a bead back to the ready queue', () => {
    const { journal, as } = memoryTown();
    const bead = journal.mutate(createBead(as('overseer'), { title: 'work' }));
    journal.mutate(claimBead(as('nux'), bead.id));
    expect(readyQueue(beadsOf(journal.read()))).toEqual([]);
    journal.mutate(releaseBead(as('daemon'), bead.id));
    expect(readyQueue(beadsOf(journal.read())).map((b) => b.id)).toEqual([bead.id]);
  });
});

describe('updating and closing', () => {
  it('updates fields, writes nothing when nothing changes, reopens a closed bead', () => {
    const { journal, as } = memoryTown();
    const ctx = as('overseer');
    const bead = journal.mutate(createBead(ctx, { title: 'work', labels: ['a'] }));
    const updated = journal.mutate(updateBead(ctx, bead.id, { title: 'better', priority: 0, addLabels: ['b'], removeLabels: ['a'], body: 'details' }));
    expect(updated).toMatchObject({ title: 'better', priority: 0, labels: ['b'], body: 'details' });
    const records = journal.log.length;
    journal.mutate(updateBead(ctx, bead.id, { title: 'better' }));
    expect(journal.log).toHaveLength(records);
    journal.mutate(updateBead(ctx, bead.id, { status: 'closed', reason: 'done' }));
    expect(beadsOf(journal.read()).get(bead.id)).toMatchObject({ status: 'closed', close_reason: 'done' });
    const reopened = journal.mutate(updateBead(ctx, bead.id, { status: 'open' }));
    expect(reopened).toMatchObject({ status: 'open', closed_at: null, close_reason: null });
    expect(journal.log.at(-1)!.action).toBe('reopen');
  });

  it('closes with a reason and refuses to close twice', () => {
    const { journal, as } = memoryTown();
    const bead = journal.mutate(createBead(as('overseer'), { title: 'work' }));
    const [closed] = journal.mutate(closeBead(as('nux'), bead.id, 'shipped'));
    expect(closed).toMatchObject({ status: 'closed', close_reason: 'shipped' });
    expect(closed!.closed_at).not.toBeNull();
    expect(errorOf(() => journal.mutate(closeBead(as('nux'), bead.id))).code).toBe('conflict');
  });

  it('closes a molecule epic with its last open step, in the same mutation', () => {
    const { journal, as } = memoryTown();
    const ctx = as('overseer');
    const epic = journal.mutate(createBead(ctx, { title: 'Quick fix', type: 'epic', molecule: 'quick-fix' }));
    const plain = journal.mutate(createBead(ctx, { title: 'Plain epic', type: 'epic' }));
    const [s1, s2] = [1, 2].map((n) => journal.mutate(createBead(ctx, { title: `step ${n}`, type: 'step', id: stepId(epic.id, n), parent: epic.id })));
    const p1 = journal.mutate(createBead(ctx, { title: 'child', parent: plain.id }));
    expect(journal.mutate(closeBead(ctx, s1!.id)).map((b) => b.id)).toEqual([s1!.id]);
    expect(beadsOf(journal.read()).get(epic.id)!.status).toBe('open');
    const before = journal.log.length;
    const closed = journal.mutate(closeBead(ctx, s2!.id));
    expect(closed.map((b) => b.id)).toEqual([s2!.id, epic.id]);
    expect(closed[1]).toMatchObject({ status: 'closed', close_reason: 'every step is closed' });
    expect(journal.log.length - before).toBe(2);
    // an epic without a molecule stays open: a person closes it
    journal.mutate(closeBead(ctx, p1.id));
    expect(beadsOf(journal.read()).get(plain.id)!.status).toBe('open');
  });

  it('closes nested molecule epics upward', () => {
    const { journal, as } = memoryTown();
    const ctx = as('overseer');
    const outer = journal.mutate(createBead(ctx, { title: 'outer', type: 'epic', molecule: 'big' }));
    const inner = journal.mutate(createBead(ctx, { title: 'inner', type: 'epic', molecule: 'small', parent: outer.id }));
    const step = journal.mutate(createBead(ctx, { title: 'only step', type: 'step', parent: inner.id }));
    expect(journal.mutate(closeBead(ctx, step.id)).map((b) => b.id)).toEqual([step.id, inner.id, outer.id]);
  });
});

describe('dependencies', () => {
  it('adds and removes needs, refusing cycles and naming them', () => {
    const { journal, as } = memoryTown();
    const ctx = as('overseer');
    const [a, b, c] = ['a', 'b', 'c'].map((title) => journal.mutate(createBead(ctx, { title }))) as [Bead, Bead, Bead];
    journal.mutate(addNeed(ctx, a.id, b.id));
    journal.mutate(addNeed(ctx, b.id, c.id));
    const error = errorOf(() => journal.mutate(addNeed(ctx, c.id, a.id)));
    expect(error.code).toBe('refused');
    expect(error.message).toBe(`refused: ${c.id} needing ${a.id} would close a cycle: ${c.id} → ${a.id} → ${b.id} → ${c.id}`);
    expect(errorOf(() => journal.mutate(addNeed(ctx, a.id, a.id))).message).toContain(`${a.id} → ${a.id}`);
    expect(readyQueue(beadsOf(journal.read())).map((x) => x.id)).toEqual([c.id]);
    journal.mutate(removeNeed(ctx, a.id, b.id));
    expect(readyQueue(beadsOf(journal.read())).map((x) => x.id).sort()).toEqual([a.id, c.id].sort());
    expect(errorOf(() => journal.mutate(removeNeed(ctx, a.id, b.id))).message).toMatch(/does not need/);
  });

  it('refuses a parent loop', () => {
    const { journal, as } = memoryTown();
    const ctx = as('overseer');
    const epic = journal.mutate(createBead(ctx, { title: 'epic', type: 'epic' }));
    const child = journal.mutate(createBead(ctx, { title: 'child', parent: epic.id }));
    expect(errorOf(() => journal.mutate(updateBead(ctx, epic.id, { parent: child.id }))).message).toMatch(/would close a loop/);
  });
});

describe('merge requests', () => {
  it('creates a queued merge request and moves it to merged or rejected', () => {
    const { journal, as } = memoryTown();
    const work = journal.mutate(createBead(as('overseer'), { title: 'work' }));
    const mr = journal.mutate(createBead(as('nux'), { title: 'Merge polecat/nux', type: 'merge_request', branch: 'polecat/nux', polecat: 'nux', bead: work.id }));
    expect(mr).toMatchObject({ type: 'merge_request', branch: 'polecat/nux', polecat: 'nux', bead: work.id, state: 'queued', reason: null, status: 'open' });
    expect(journal.mutate(setMergeRequestState(as('refinery'), mr.id, 'testing'))).toMatchObject({ state: 'testing', status: 'in_progress' });
    const rejected = journal.mutate(setMergeRequestState(as('refinery'), mr.id, 'rejected', 'tests failed'));
    expect(rejected).toMatchObject({ state: 'rejected', status: 'closed', reason: 'tests failed', close_reason: 'rejected: tests failed' });
    expect(errorOf(() => journal.mutate(setMergeRequestState(as('refinery'), work.id, 'merged'))).message).toMatch(/not a merge request/);
    expect(errorOf(() => journal.mutate(createBead(as('nux'), { title: 'x', type: 'merge_request', polecat: 'nux' }))).message).toMatch(/branch/);
  });
});
