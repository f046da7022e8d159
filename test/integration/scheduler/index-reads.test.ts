import { afterEach, describe, expect, it } from 'vitest';
import { queriesOf } from '../../../src/journal/query-index.js';
import type { Entity, StateView } from '../../../src/journal/types.js';
import { isUnfinished } from '../../../src/daemon/polecat-runner.js';
import type { Bead } from '../../../src/model/bead.js';
import { modelContext } from '../../../src/model/context.js';
import { claimBead, createBead, setMergeRequestState, updateBead } from '../../../src/model/operations.js';
import { allPolecats, putPolecat, type Polecat } from '../../../src/model/polecat.js';
import { mergeRequests, queuedRequests } from '../../../src/refinery/queue.js';
import { plan } from '../../../src/scheduler/plan.js';
import { resourcesView } from '../../../src/scheduler/view.js';
import { openTownAt, type Town } from '../../../src/town/town.js';
import { townWithWriter } from '../../helpers/town.js';

const disposers: (() => unknown)[] = [];
afterEach(async () => {
  for (const dispose of disposers.splice(0).reverse()) await dispose();
});

/** Whether the handle still reads through the query index (iterating a whole kind would have loaded the town into memory). */
const indexed = (town: Town): boolean => queriesOf(town.journal.read().all('beads')) !== undefined;
const ids = (list: readonly { id: string }[]): string[] => list.map((b) => b.id).sort();

describe('the daemon’s reads of the town (issue 18)', () => {
  it('go through the query index — the handle never loads the whole town — and equal a read of every bead', async () => {
    const { repo, writer } = townWithWriter(disposers, 'nux');
    const ctx = modelContext('nux', 'ct');
    const beads: Bead[] = [];
    for (let i = 0; i < 12; i++) beads.push((await writer.journal.mutate(createBead(ctx, { title: `bead ${i}`, priority: i % 4 }))).value);
    await writer.journal.mutate(claimBead(ctx, beads[0]!.id));
    await writer.journal.mutate(claimBead(ctx, beads[1]!.id));
    await writer.journal.mutate(updateBead(ctx, beads[2]!.id, { status: 'closed' }));
    const queued = (await writer.journal.mutate(createBead(ctx, { title: 'merge 0', type: 'merge_request', branch: `polecat/nux/${beads[0]!.id}`, polecat: 'nux', bead: beads[0]!.id }))).value;
    await writer.journal.mutate(setMergeRequestState(ctx, queued.id, 'queued'));
    const rejected = (await writer.journal.mutate(createBead(ctx, { title: 'merge 1', type: 'merge_request', branch: `polecat/nux/${beads[1]!.id}`, polecat: 'nux', bead: beads[1]!.id }))).value;
    await writer.journal.mutate(setMergeRequestState(ctx, rejected.id, 'rejected'));
    const now = new Date().toISOString();
    const polecat = { id: 'nux', name: 'nux', agent: 'scripted', argv: [], branch: `polecat/nux/${beads[1]!.id}`, bead: beads[1]!.id, status: 'idle', pid: null, created_at: now, updated_at: now } as unknown as Polecat;
    await writer.journal.mutate(() => ({ changes: [putPolecat(polecat, 'create')], value: undefined }));

    const mine = openTownAt(repo.path, 'daemon');
    disposers.push(() => mine.close());
    const reference = openTownAt(repo.path, 'daemon');
    disposers.push(() => reference.close());
    const whole = reference.journal.read();
    // The reference walks the whole kind: it holds every bead in memory, as the daemon did.
    const everything: StateView = { seq: whole.seq, get: (k, id) => whole.get(k, id), all: (k) => new Map([...whole.all(k)] as [string, Entity][]) };
    expect(indexed(mine)).toBe(true);

    const view = mine.journal.read();
    expect(allPolecats(view).map((p) => p.name)).toEqual(allPolecats(everything).map((p) => p.name));
    expect(isUnfinished(view, beads[0]!.id, 'nux')).toBe(isUnfinished(everything, beads[0]!.id, 'nux'));
    expect(isUnfinished(view, beads[1]!.id, 'nux')).toBe(isUnfinished(everything, beads[1]!.id, 'nux'));
    expect(isUnfinished(view, beads[1]!.id, 'nux')).toBe(true); // its only request was rejected
    expect(ids(queuedRequests(view))).toEqual(ids(queuedRequests(everything)));
    expect(ids(mergeRequests(view, 'open'))).toEqual(ids(mergeRequests(everything).filter((mr) => mr.status !== 'closed')));
    expect(ids(mergeRequests(view))).toEqual(ids(mergeRequests(everything)));
    expect(resourcesView(view.all('beads') as ReadonlyMap<string, Bead>)).toEqual(resourcesView(everything.all('beads') as ReadonlyMap<string, Bead>));
    // The scheduler off or paused: the pinned-only plan.
    const input = (state: StateView) => ({ beads: state.all('beads') as ReadonlyMap<string, Bead>, polecats: [], now: Date.now(), max: 2, agents: [{ name: 'scripted' }], profile: () => ({ closed: new Map(), firstTry: 0, total: 0 }) as never, names: ['ace'], only: 'pinned' as const });
    expect(plan(input(view))).toEqual(plan(input(everything)));
    // None of it loaded the whole town into the handle.
    expect(indexed(mine)).toBe(true);
  }, 60_000);
});
