import { describe, expect, it } from 'vitest';
import { entityAddress, localName, parseEntityAddress, townNameFrom } from '../../../src/model/address.js';
import { buildCv, claimBead, createBead, type Bead } from '../../../src/model/index.js';
import { approvalFor, validationsOf, VALIDATION_KIND, type ValidationRecord } from '../../../src/model/validation.js';
import type { Validation } from '../../../src/refinery/queue.js';
import { approve, reject } from '../../../src/refinery/review.js';
import { bounced, merged } from '../../../src/refinery/verdicts.js';
import { memoryTown } from './fixtures.js';

const landing = (sha: string): Validation => ({ validator: 'refinery', main_before: 'a'.repeat(40), merged_sha: sha, commits: 1, gates: [{ argv: ['npm', 'test'], ms: 5, code: 0 }], total_ms: 9 });

describe('entity addresses', () => {
  it('names every actor entity://citadel/<town>/<id>, and reads one back only for this town', () => {
    expect(entityAddress('alpha', 'nux')).toBe('entity://citadel/alpha/nux');
    expect(parseEntityAddress('entity://citadel/alpha/beads/polecats/obsidian')).toEqual({ platform: 'citadel', town: 'alpha', id: 'beads/polecats/obsidian' });
    expect(localName('nux', 'alpha')).toBe('nux');
    expect(localName('entity://citadel/alpha/nux', 'alpha')).toBe('nux');
    expect(() => localName('entity://citadel/beta/nux', 'alpha')).toThrow(/town "beta", not of this town \("alpha"\)/);
    expect(() => localName('entity://github/acme/jane', 'alpha')).toThrow(/platform "github"/);
    expect(() => localName('entity://citadel/alpha', 'alpha')).toThrow(/bad address/);
  });

  it('makes a town name from any folder name', () => {
    expect(townNameFrom('My Project (v2)')).toBe('my-project-v2');
    expect(townNameFrom('citadel')).toBe('citadel');
    expect(townNameFrom('...')).toBe('town');
    expect(townNameFrom('x'.repeat(100))).toHaveLength(64);
  });
});

describe('validation records and the CV signals read from them', () => {
  function setup() {
    const { journal, as } = memoryTown();
    const work = journal.mutate(createBead(as('overseer'), { title: 'parser', labels: ['ts'] }), 'overseer');
    journal.mutate(claimBead(as('nux'), work.id), 'nux');
    const request = (branch: string): Bead =>
      journal.mutate(createBead(as('nux'), { title: `Merge ${branch}`, type: 'merge_request', branch, polecat: 'nux', bead: work.id }), 'nux');
    return { journal, as, work, request };
  }

  it('records a landing (with main’s new commit) and a bounce, once each, by the refinery’s address', () => {
    const { journal, as, work, request } = setup();
    const first = request('polecat/nux/one');
    journal.mutate(bounced(as('refinery'), first.id, { reason: 'gate `npm test` failed (exited 1)', details: 'fix it', notes: {}, bounceTo: 'polecat' }, { town: 'alpha', gatesHash: 'h1', branchCommit: 'b1' }), 'refinery');
    // a second verdict on a finished request records nothing
    journal.mutate(bounced(as('refinery'), first.id, { reason: 'again', details: '', notes: {}, bounceTo: 'polecat' }, { town: 'alpha' }), 'refinery');
    const second = request('polecat/nux/two');
    journal.mutate(merged(as('refinery'), second.id, landing('c'.repeat(40)), { town: 'alpha', gatesHash: 'h1', branchCommit: 'b2' }), 'refinery');
    journal.mutate(merged(as('refinery'), second.id, landing('c'.repeat(40)), { town: 'alpha' }), 'refinery');

    const state = journal.read();
    expect(state.all(VALIDATION_KIND).size).toBe(2);
    const [rejected] = validationsOf(state, first.id);
    expect(rejected).toMatchObject({ id: `${first.id}.v1`, stage: 'gates', verdict: 'rejected', validator: 'refinery', validator_address: 'entity://citadel/alpha/refinery', merge_request: first.id, bead: work.id, worker: 'nux', worker_address: 'entity://citadel/alpha/nux', branch_commit: 'b1', gates_hash: 'h1', main_commit: null, reason: 'gate `npm test` failed (exited 1)' });
    const [accepted] = validationsOf(state, second.id);
    expect(accepted).toMatchObject({ verdict: 'accepted', main_commit: 'c'.repeat(40), main_before: 'a'.repeat(40), gates: [{ argv: ['npm', 'test'], ms: 5, code: 0 }], branch_commit: 'b2' });

    const cv = buildCv(journal.log, 'nux', { town: 'alpha' });
    expect(cv.address).toBe('entity://citadel/alpha/nux');
    expect(cv.validations).toMatchObject({ received: { accepted: 1, rejected: 1 }, landed: 1, accepted_first_time: 0, revisions: 1 });
    expect(cv.validations.median_time_to_merge_seconds).toBeGreaterThan(0);
    expect(buildCv(journal.log, 'refinery').validations.given).toEqual({ accepted: 1, rejected: 1 });
    expect(cv.recent.map((entry) => entry.action)).toContain('accept');
  });

  it('an approval binds to a branch commit; a rejection in review bounces with the reviewer’s words, which the CV keeps', () => {
    const { journal, as, work, request } = setup();
    const mr = request('polecat/nux/one');
    expect(() => journal.mutate(approve(as('nux'), mr.id, { town: 'alpha', branchCommit: 'b1', note: null }), 'nux')).toThrow(/cannot review its own/);
    const { validation } = journal.mutate(approve(as('overseer'), mr.id, { town: 'alpha', branchCommit: 'b1', note: 'neat' }));
    expect(validation).toMatchObject({ stage: 'review', verdict: 'accepted', validator_address: 'entity://citadel/alpha/overseer', branch_commit: 'b1', note: 'neat' });
    expect(approvalFor(journal.read(), mr.id, 'b1')?.id).toBe(validation.id);
    expect(approvalFor(journal.read(), mr.id, 'b2')).toBeUndefined(); // new commits need a new review

    journal.mutate(reject(as('overseer'), mr.id, { town: 'alpha', branchCommit: 'b1', reason: 'needs a test', bounceTo: 'polecat' }));
    const state = journal.read();
    const after = state.get('beads', mr.id) as Bead;
    expect(after).toMatchObject({ state: 'rejected', reason: 'rejected in review by overseer: needs a test' });
    expect(state.get('beads', work.id)).toMatchObject({ status: 'in_progress', assignee: 'nux' });
    expect(approvalFor(state, mr.id, 'b1')).toBeUndefined(); // the latest review rejected it
    const rework = [...state.all('beads').values()].find((b) => (b as Bead).type === 'message' && (b as Bead).to === 'nux') as Bead;
    expect(rework.body).toContain('needs a test');
    expect(() => journal.mutate(reject(as('overseer'), mr.id, { town: 'alpha', branchCommit: null, reason: 'x', bounceTo: 'polecat' }))).toThrow(/already rejected/);

    const cv = buildCv(journal.log, 'nux');
    expect(cv.validations.revisions).toBe(1);
    expect(cv.validations.review_feedback.map((f) => [f.verdict, f.by, f.note])).toEqual([
      ['rejected', 'overseer', 'needs a test'],
      ['accepted', 'overseer', 'neat'],
    ]);
    expect((validationsOf(state, mr.id).at(-1) as ValidationRecord).reason).toBe('rejected in review by overseer: needs a test');
  });
});
