import { describe, expect, it } from 'vitest';
import { buildCv, type Bead, claimBead, closeBead, createBead, sendMail, setMergeRequestState, transact } from '../../../src/model/index.js';
import { memoryTown } from './fixtures.js';

describe('the CV', () => {
  it('counts created, claimed, finished work, merge requests and skills from the records', () => {
    const { journal, as } = memoryTown();
    const overseer = as('overseer');
    const nux = as('nux');
    const [a, b, c] = ['parser', 'lexer', 'docs'].map((title, i) =>
      journal.mutate(createBead(overseer, { title, labels: i < 2 ? ['ts', 'parsing'] : ['docs'] }), 'overseer'),
    ) as [Bead, Bead, Bead];
    journal.mutate(createBead(nux, { title: 'found a bug', type: 'bug' }), 'nux');
    for (const bead of [a, b, c]) journal.mutate(claimBead(nux, bead.id), 'nux');
    journal.mutate(closeBead(nux, a.id), 'nux');
    journal.mutate(closeBead(overseer, b.id, 'merged'), 'refinery'); // closed for nux by someone else
    journal.mutate(sendMail(nux, { to: 'overseer', subject: 'done with the parser' }), 'nux');
    const mrs = ['one', 'two', 'three'].map((name) =>
      journal.mutate(createBead(nux, { title: `Merge ${name}`, type: 'merge_request', branch: `polecat/nux-${name}`, polecat: 'nux' }), 'nux'),
    );
    journal.mutate(setMergeRequestState(as('refinery'), mrs[0]!.id, 'merged'), 'refinery');
    journal.mutate(setMergeRequestState(as('refinery'), mrs[1]!.id, 'rejected', 'tests failed'), 'refinery');

    const cv = buildCv(journal.log, 'nux', { recent: 3 });
    expect(cv).toMatchObject({
      actor: 'nux',
      created: 1,
      claimed: 3,
      closed: 2,
      mail_sent: 1,
      merge_requests: { total: 3, merged: 1, bounced: 1, pending: 1 },
      acceptance_rate: 0.5,
    });
    expect(cv.skills).toEqual([
      { label: 'parsing', count: 2 },
      { label: 'ts', count: 2 },
    ]);
    // the memory journal stamps records one second apart: claims at seq 5, 6; closes at 8, 9
    expect(cv.median_claim_to_close_seconds).toBe(3);
    expect(cv.recent.map((e) => e.action)).toEqual(['rejected', 'merged', 'create']);
    expect(cv.recent[1]).toMatchObject({ bead: mrs[0]!.id, title: 'Merge one' });
    expect(cv.first_seen).not.toBeNull();
  });

  it('is empty, not an error, for an actor with no history', () => {
    const { journal, as } = memoryTown();
    journal.mutate(transact(as('overseer'), (tx) => tx.create({ title: 'x' })));
    expect(buildCv(journal.log, 'ghost')).toMatchObject({ created: 0, claimed: 0, closed: 0, acceptance_rate: null, median_claim_to_close_seconds: null, skills: [], recent: [] });
  });
});
