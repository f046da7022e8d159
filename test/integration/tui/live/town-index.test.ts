import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { initTown } from '../../../../src/town/create.js';
import { modelContext } from '../../../../src/model/context.js';
import { BEAD_KIND, isMergeRequest, isMessage, type Bead } from '../../../../src/model/bead.js';
import { addNeed, createBead, markMailRead, sendMail, updateBead } from '../../../../src/model/operations.js';
import { transact } from '../../../../src/model/transaction.js';
import { waitFor } from '../../../helpers/temp.js';
import { openTownAt, type Town } from '../../../../src/town/town.js';
import { createTownFeed } from '../../../../src/tui/live/town-feed.js';
import { parseFilter } from '../../../../src/tui/state/board-filter.js';
import { groupBoard, type BoardLayout } from '../../../../src/tui/state/board-groups.js';
import { deriveView } from '../../../../src/tui/state/panels-view.js';
import { inboxFor } from '../../../../src/tui/state/inbox-order.js';
import { laneOrder } from '../../../../src/tui/state/lane-order.js';
import type { MailView, MergeRequestView } from '../../../../src/tui/state/types.js';
import { makeRepo } from '../../../helpers/git.js';
import { townWithWriter } from '../../../helpers/town.js';

const disposers: (() => unknown)[] = [];
afterEach(async () => {
  for (const dispose of disposers.splice(0).reverse()) await dispose();
});

/** A board as plain data: each row's group, id and blockers, and the counts. */
function shape(board: BoardLayout): { rows: string[]; counts: BoardLayout['counts'] } {
  return { rows: board.rows.map((r) => (r.kind === 'header' ? `${r.group}:${r.count}` : `${r.group} ${r.bead.id} ${r.blockers.join(',')}`)), counts: board.counts };
}

type Op =
  | { op: 'create'; status: 'open' | 'in_progress' | 'blocked' | 'closed'; type: 'task' | 'epic' | 'bug'; priority: number; parent: number | null; label: 'ui' | 'db' | null }
  | { op: 'status'; at: number; status: 'open' | 'in_progress' | 'blocked' | 'closed' }
  | { op: 'claim'; at: number; who: 'nux' | null }
  | { op: 'need'; at: number; need: number }
  | { op: 'priority'; at: number; priority: number }
  | { op: 'mail'; to: 'overseer' | 'nux' | '@all' }
  | { op: 'read'; at: number };

const status = fc.constantFrom('open' as const, 'open' as const, 'in_progress' as const, 'blocked' as const, 'closed' as const);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('create' as const), status, type: fc.constantFrom('task' as const, 'epic' as const, 'bug' as const), priority: fc.integer({ min: 0, max: 4 }), parent: fc.option(fc.nat(), { freq: 2 }), label: fc.constantFrom('ui' as const, 'db' as const, null) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('status' as const), at: fc.nat(), status }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('claim' as const), at: fc.nat(), who: fc.constantFrom('nux' as const, null) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('need' as const), at: fc.nat(), need: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('priority' as const), at: fc.nat(), priority: fc.integer({ min: 0, max: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('mail' as const), to: fc.constantFrom('overseer' as const, 'nux' as const, '@all' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('read' as const), at: fc.nat() }) },
);

describe('the workstation through the query index', () => {
  it('shows the same board, inbox, lane and counts as a read of every bead, after random mutations by another writer', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), async (ops) => {
        const repo = makeRepo();
        const opened: Town[] = [];
        try {
          initTown({ cwd: repo.path, env: {} });
          const open = (who: string): Town => {
            const t = openTownAt(repo.path, who);
            opened.push(t);
            return t;
          };
          const writer = open('nux');
          const ctx = modelContext('nux', 'ct');
          // The index is built by the first writer; a handle opened after it reads through it.
          await writer.journal.mutate(createBead(ctx, { title: 'seed' }));
          const mine = open('overseer');
          // The reference: a handle that holds every bead in memory (it iterates the whole kind).
          const reference = open('overseer');
          const feed = createTownFeed({ town: mine, name: 'demo', presets: ['scripted'], molecules: [], watch: false });
          disposers.push(() => feed.close());
          const ids: string[] = [];
          const mails: string[] = [];
          const pick = (n: number): string | undefined => (ids.length ? ids[n % ids.length] : undefined);
          const check = (): void => {
            feed.refresh();
            const snapshot = feed.getSnapshot();
            // The indexed path is the one under test: the snapshot says so.
            expect(snapshot.index).toBeDefined();
            const all = [...(reference.journal.read().all(BEAD_KIND).values() as Iterable<Bead>)];
            const work = all.filter((b) => !isMessage(b) && !isMergeRequest(b));
            for (const filter of ['', '#ui', 'type:epic', 'task']) {
              expect(shape(deriveView(snapshot, filter).board), `filter "${filter}"`).toEqual(shape(groupBoard(work, parseFilter(filter))));
            }
            const mail = all.filter(isMessage) as MailView[];
            expect(deriveView(snapshot, '').inbox.map((m) => [m.id, m.read_by])).toEqual(inboxFor(mail, 'overseer').map((m) => [m.id, m.read_by]));
            const requests = all.filter(isMergeRequest) as MergeRequestView[];
            expect(deriveView(snapshot, '').lane.map((m) => m.id)).toEqual(laneOrder(requests).map((m) => m.id));
            expect(reference.journal.read().seq).toBe(snapshot.seq);
          };
          for (const step of ops) {
            try {
              switch (step.op) {
                case 'create': {
                  const parent = step.parent === null ? undefined : pick(step.parent);
                  const { value } = await writer.journal.mutate(
                    createBead(ctx, { title: `bead ${step.type}`, type: step.type, priority: step.priority, status: step.status, ...(parent ? { parent } : {}), ...(step.label ? { labels: [step.label] } : {}) }),
                  );
                  ids.push(value.id);
                  break;
                }
                case 'status':
                  if (pick(step.at)) await writer.journal.mutate(updateBead(ctx, pick(step.at)!, { status: step.status }));
                  break;
                case 'claim':
                  if (pick(step.at)) await writer.journal.mutate(updateBead(ctx, pick(step.at)!, { assignee: step.who }));
                  break;
                case 'need':
                  if (pick(step.at) && pick(step.need)) await writer.journal.mutate(addNeed(ctx, pick(step.at)!, pick(step.need)!));
                  break;
                case 'priority':
                  if (pick(step.at)) await writer.journal.mutate(updateBead(ctx, pick(step.at)!, { priority: step.priority }));
                  break;
                case 'mail': {
                  const { value } = await writer.journal.mutate(sendMail(ctx, { to: step.to, subject: 'hello', body: 'b' }));
                  mails.push(value.id);
                  break;
                }
                case 'read':
                  if (mails.length) await mine.journal.mutate(markMailRead(modelContext('overseer', 'ct'), mails[step.at % mails.length]!));
                  break;
              }
            } catch (error) {
              // A refused operation (a cycle of needs, closing an epic with open children…) writes nothing.
              if (!(error instanceof Error) || !('code' in error)) throw error;
            }
            check();
          }
        } finally {
          for (const t of opened) t.close();
          repo.dispose();
        }
      }),
      { numRuns: 12 },
    );
  }, 240_000);
});

describe('the board’s filter on a big town', () => {
  it('shows the closed group pending while the closed beads are read in the background, then as a read of every bead; kept current after', async () => {
    const { repo, writer } = townWithWriter(disposers, 'nux');
    const ctx = modelContext('nux', 'ct');
    await writer.journal.mutate(transact(ctx, (tx) => {
      for (let i = 0; i < 60; i++) {
        tx.create({ title: `bead ${i} ${i % 3 ? 'parser' : 'journal'}`, type: i % 4 ? 'task' : 'bug', priority: i % 5, status: i % 2 ? 'closed' : 'open', labels: i % 5 ? [] : ['ui'] });
      }
    }));
    const mine = openTownAt(repo.path, 'overseer');
    disposers.push(() => mine.close());
    const reference = openTownAt(repo.path, 'overseer');
    disposers.push(() => reference.close());
    // Every town counts as big: the closed beads are never read at once.
    const feed = createTownFeed({ town: mine, name: 'demo', presets: ['scripted'], molecules: [], watch: false, syncClosed: 0 });
    disposers.push(() => feed.close());
    const work = (): Bead[] => [...(reference.journal.read().all(BEAD_KIND).values() as Iterable<Bead>)].filter((b) => !isMessage(b) && !isMergeRequest(b));
    const pendingHeader = (filter: string): boolean => deriveView(feed.getSnapshot(), filter).board.rows.some((r) => r.kind === 'header' && r.group === 'closed' && r.pending === true);
    expect(pendingHeader('parser')).toBe(true);
    // The open groups are there at once.
    const open = (board: BoardLayout): unknown => shape(board).rows.filter((r) => !r.startsWith('closed'));
    expect(open(deriveView(feed.getSnapshot(), 'parser').board)).toEqual(open(groupBoard(work(), parseFilter('parser'))));
    await waitFor(() => !pendingHeader('parser') || undefined, 'the closed beads read in the background');
    for (const filter of ['parser', '#ui', 'type:bug', 'journal type:task', '@nobody']) {
      expect(pendingHeader(filter), filter).toBe(false);
      expect(shape(deriveView(feed.getSnapshot(), filter).board), filter).toEqual(shape(groupBoard(work(), parseFilter(filter))));
    }
    // Closing, reopening and creating closed beads afterwards: the keys follow the journal's tail.
    const ids = work().map((b) => b.id);
    await writer.journal.mutate(updateBead(ctx, ids[0]!, { status: 'closed' }));
    await writer.journal.mutate(updateBead(ctx, ids[1]!, { status: 'open' }));
    await writer.journal.mutate(createBead(ctx, { title: 'late parser', status: 'closed' }));
    feed.refresh();
    for (const filter of ['parser', 'late', 'journal type:task']) {
      expect(shape(deriveView(feed.getSnapshot(), filter).board), filter).toEqual(shape(groupBoard(work(), parseFilter(filter))));
    }
  }, 60_000);
});

describe('a bead’s history in the workstation', () => {
  it('comes at once from the newest records, and older records are read in the background until its creation', async () => {
    const { repo, writer } = townWithWriter(disposers, 'nux');
    const ctx = modelContext('nux', 'ct');
    const { value: old } = await writer.journal.mutate(createBead(ctx, { title: 'old bead' }));
    // More records after it than the feed keeps for histories (5,000).
    await writer.journal.mutate(transact(ctx, (tx) => {
      for (let i = 0; i < 5_100; i++) tx.create({ title: `filler ${i}` });
    }));
    await writer.journal.mutate(updateBead(ctx, old.id, { priority: 0 }));
    const mine = openTownAt(repo.path, 'overseer');
    disposers.push(() => mine.close());
    const feed = createTownFeed({ town: mine, name: 'demo', presets: ['scripted'], molecules: [], watch: false });
    disposers.push(() => feed.close());
    // The first refresh read only the feed's 200 newest: the update is there, the creation is not.
    expect(feed.history(old.id).map((e) => e.action)).toEqual(['update']);
    let told = 0;
    feed.subscribe(() => told++);
    const full = await waitFor(() => (feed.history(old.id).length === 2 ? feed.history(old.id) : undefined), 'the older history read in the background');
    expect(full.map((e) => e.action)).toEqual(['create', 'update']);
    expect(told).toBeGreaterThan(0);
    // The same records as a read of the whole journal (the segments are searched for the id's bytes).
    const every = [...mine.journal.records(1)].filter((r) => r.id === old.id).map((r) => r.seq);
    expect(full.map((e) => e.seq)).toEqual(every);
  }, 60_000);
});
