import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { primeContext, type PrimeWho } from '../../../src/agent-cli/prime-context.js';
import { openJournal, type Journal, type Mutator } from '../../../src/journal/index.js';
import { queriesOf } from '../../../src/journal/query-index.js';
import { claimBead, createBead, markMailRead, modelContext, sendMail, setMergeRequestState, updateBead, type Bead } from '../../../src/model/index.js';
import { fileMergeRequest, type Submission } from '../../../src/refinery/submit.js';
import { tempDir } from '../../helpers/temp.js';

/**
 * `citadel prime` and `citadel done` read a few rows through the query index (docs/cli.md,
 * "Startup"): the actor's claimed work, the bead's newest merge request, the unread count, the
 * branch's open request. A cold reader through the index must see exactly what a reader of the whole state
 * sees, including merge requests of other beads filed after the one that matters.
 */
describe('prime and done through the query index', () => {
  const dirs: { dispose(): void }[] = [];
  const journals: Journal[] = [];
  afterEach(() => {
    for (const journal of journals.splice(0)) journal.close();
    for (const dir of dirs.splice(0)) dir.dispose();
  });

  let tick = 0;
  const as = (actor: string) => modelContext(actor, 'ct', { now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)).toISOString() });
  const submission = (branch: string, head = 'a'.repeat(40)): Submission => ({ worktree: '/nowhere', branch, commits: 1, head });

  async function town() {
    const dir = tempDir('citadel-prime-index-');
    dirs.push(dir);
    const path = join(dir.path, 'journal');
    const writer = openJournal(path, { writer: 'test', fsync: false });
    journals.push(writer);
    const run = async <T>(mutator: Mutator<T>): Promise<T> => (await writer.mutate(mutator)).value;
    const create = (title: string) => run(createBead(as('overseer'), { title }));
    const file = (bead: Bead, branch: string, head?: string) =>
      run(fileMergeRequest(as('nux'), { submission: submission(branch, head), polecat: 'nux', bead: bead.id, message: undefined }));

    const old = await create('old bead, bounced, then other beads submitted');
    const resubmitted = await create('bounced, then submitted again');
    const other = await create('someone else’s');
    const claimed = await create('claimed by nux, touched last');
    await run(claimBead(as('nux'), old.id));
    await run(claimBead(as('nux'), resubmitted.id));
    await run(claimBead(as('max'), other.id));
    await run(claimBead(as('nux'), claimed.id));
    await run(updateBead(as('nux'), claimed.id, { priority: 1 }));

    const oldMr = await file(old, 'polecat/nux/old');
    await run(setMergeRequestState(as('refinery'), oldMr.request.id, 'rejected', 'gate failed'));
    const firstTry = await file(resubmitted, 'polecat/nux/again');
    await run(setMergeRequestState(as('refinery'), firstTry.request.id, 'rejected', 'conflict'));
    const secondTry = await file(resubmitted, 'polecat/nux/again-2');
    const otherMr = await file(other, 'polecat/max/other');
    await run(setMergeRequestState(as('refinery'), otherMr.request.id, 'merged'));
    const fresh = await create('made after every request');
    // Mail: to nux (one read), to everyone from max (counted for nux) and from nux (not counted).
    const toNux = await run(sendMail(as('overseer'), { to: 'nux', subject: 'a', body: '' }));
    await run(sendMail(as('refinery'), { to: 'nux', subject: 'b', body: '' }));
    await run(sendMail(as('max'), { to: '@all', subject: 'c', body: '' }));
    await run(sendMail(as('nux'), { to: '@all', subject: 'd', body: '' }));
    await run(sendMail(as('nux'), { to: 'max', subject: 'e', body: '' }));
    await run(markMailRead(as('nux'), toNux.id));

    const indexed = openJournal(path, { writer: 'test', fsync: false });
    const memory = openJournal(path, { writer: 'test', fsync: false, queryIndex: false });
    journals.push(indexed, memory);
    return { writer, indexed, memory, beads: { old, resubmitted, other, claimed, fresh }, requests: { oldMr, firstTry, secondTry, otherMr } };
  }

  it('finds the claimed bead and the newest request of a bead as a whole-state reader does', async () => {
    const t = await town();
    const view = t.indexed.read();
    expect(queriesOf(view.all('beads')), 'the cold reader goes through the index').toBeDefined();
    expect(queriesOf(t.memory.read().all('beads'))).toBeUndefined();

    const whos: PrimeWho[] = [
      { actor: 'nux', town: '/t' },
      { actor: 'max', town: '/t' },
      { actor: 'overseer', town: '/t' },
      ...Object.values(t.beads).map((bead) => ({ actor: 'nux', town: '/t', beadId: bead.id })),
    ];
    for (const who of whos) {
      expect(primeContext(t.indexed.read(), who), JSON.stringify(who)).toEqual(primeContext(t.memory.read(), who));
    }

    const prime = (beadId?: string) => primeContext(t.indexed.read(), { actor: 'nux', town: '/t', beadId });
    expect(prime().bead?.id, 'the in-progress bead nux touched last').toBe(t.beads.claimed.id);
    expect(prime(t.beads.old.id).bounced, 'found behind newer requests of other beads').toEqual({ id: t.requests.oldMr.request.id, reason: 'gate failed' });
    expect(prime(t.beads.resubmitted.id).bounced, 'the newest request is queued again').toBeUndefined();
    expect(prime(t.beads.fresh.id).bounced).toBeUndefined();
    expect(prime().unreadMail, 'unread to nux, and to everyone from someone else').toBe(2);
    expect(primeContext(t.indexed.read(), { actor: 'max', town: '/t' }).unreadMail).toBe(2);
  });

  it('done finds the branch’s open request through the index, and files anew once it is closed', async () => {
    const t = await town();
    const again = fileMergeRequest(as('nux'), { submission: submission('polecat/nux/again-2'), polecat: 'nux', bead: t.beads.resubmitted.id, message: undefined });
    const indexed = again(t.indexed.read());
    expect(indexed.value).toEqual({ request: t.requests.secondTry.request, created: false });
    expect(indexed.value).toEqual(again(t.memory.read()).value);
    // merged: a new request for the same branch is filed (under either reader)
    const merged = fileMergeRequest(as('max'), { submission: submission('polecat/max/other'), polecat: 'max', bead: t.beads.other.id, message: undefined });
    expect(merged(t.indexed.read()).value.created).toBe(true);
    expect(merged(t.memory.read()).value.created).toBe(true);
  });
});
