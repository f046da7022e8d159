import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/temp.js';
import type { Change, Entity } from '../../../src/journal/index.js';
import { queriesOf, type Where } from '../../../src/journal/query-index.js';
import { beadsOf, childrenOf, dependentsOf, inbox, listBeads, readyQueue, type Bead } from '../../../src/model/index.js';
import { open } from './helpers.js';

/**
 * The query index (docs/journal.md, "The query index") against a full replay: after random
 * mutations, and after a crash at each step of one (appended but the index not updated — a
 * writer without the index appends, as a process killed between the two would leave it;
 * index updated but HEAD.json not), a cold reader through the index sees exactly what a reader
 * replaying the journal without it sees: every entity, and the model's indexed queries.
 * `CITADEL_INDEX_RUNS` (default 30) sets the number of runs.
 */
const RUNS = Number(process.env.CITADEL_INDEX_RUNS ?? 30);
const OPTIONS = { segmentBytes: 2000, checkpointEvery: 7, fsync: false } as const;
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
const bead = (id: string, f: { status: number; parent: number; need: number; label: number; assignee: number; to: number; type: number; priority: number }, step: number): Entity => ({
  id,
  type: ['task', 'epic', 'message', 'bug'][f.type % 4],
  title: `t ${id} ${step}`,
  body: '',
  status: ['open', 'open', 'closed', 'in_progress', 'blocked'][f.status % 5],
  priority: f.priority % 5,
  labels: f.label % 3 === 0 ? [] : [`l${f.label % 3}`],
  assignee: f.assignee % 3 === 0 ? null : f.assignee % 3 === 1 ? '' : 'nux',
  needs: f.need % 3 === 0 ? [] : [ids[f.need % ids.length]!].filter((n) => n !== id),
  parent: f.parent % 3 === 0 ? null : ids[f.parent % ids.length] === id ? null : ids[f.parent % ids.length]!,
  created_by: 'x',
  created_at: `2026-01-0${1 + (step % 9)}T00:00:00.000Z`,
  updated_at: '2026-01-01T00:00:00.000Z',
  closed_at: f.status % 5 === 2 ? `2026-02-0${1 + ((step + f.need) % 3)}T00:00:00.000Z` : null,
  close_reason: null,
  ...(f.type % 4 === 3 ? { bead: ids[f.parent % ids.length] } : {}),
  to: ['overseer', '@all', 'nux'][f.to % 3],
  from: 'nux',
  read_by: f.to % 2 ? ['overseer'] : [],
});
const fields = fc.record({
  status: fc.nat(),
  parent: fc.nat(),
  need: fc.nat(),
  label: fc.nat(),
  assignee: fc.nat(),
  to: fc.nat(),
  type: fc.nat(),
  priority: fc.nat(),
});
const mutation = fc.record({
  targets: fc.uniqueArray(fc.constantFrom(...ids), { minLength: 1, maxLength: 3 }),
  remove: fc.boolean(),
  fields,
  crash: fc.constantFrom('none', 'none', 'index not updated', 'HEAD not written'),
});

const sorted = (map: ReadonlyMap<string, unknown>): [string, unknown][] => [...map].sort(([a], [b]) => a.localeCompare(b));
const idsOf = (beads: readonly Bead[]): string[] => beads.map((b) => b.id);

describe('the query index agrees with a full replay (property)', () => {
  it(`after random mutations and a crash at any step of one (${RUNS} runs)`, { timeout: 300_000 }, async () => {
    let indexedRuns = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 25 }), async (mutations) => {
        const root = tempDir('citadel-index-');
        cleanups.push(root.dispose);
        const dir = join(root.path, 'journal');
        for (const [step, m] of mutations.entries()) {
          const writer = open(dir, { ...OPTIONS, queryIndex: m.crash !== 'index not updated' });
          const head = m.crash === 'HEAD not written' ? readFileSafe(join(dir, 'HEAD.json')) : undefined;
          try {
            await writer.mutate((state) => ({
              changes: m.targets.map((id): Change => (m.remove && state.get('beads', id) ? { kind: 'beads', id, entity: null, action: 'delete' } : { kind: 'beads', id, entity: bead(id, m.fields, step), action: 'put' })),
              value: undefined,
            }));
          } finally {
            writer.close();
          }
          if (head) writeFileSync(join(dir, 'HEAD.json'), head);

          // A reader through the index, and one replaying the journal without it.
          const indexed = open(dir, OPTIONS);
          const replay = open(dir, { ...OPTIONS, queryIndex: false });
          try {
            const view = indexed.read();
            const truth = replay.read();
            expect(view.seq).toBe(truth.seq);
            const beads = beadsOf(view);
            const all = beadsOf(truth);
            for (const id of ids) expect(view.get('beads', id)).toEqual(truth.get('beads', id));
            expect(beads.size).toBe(all.size);
            expect(idsOf(readyQueue(beads, { now: 0 }))).toEqual(idsOf(readyQueue(all, { now: 0 })));
            expect(idsOf(readyQueue(beads, { now: 0, limit: 2 }))).toEqual(idsOf(readyQueue(all, { now: 0, limit: 2 })));
            expect(idsOf(listBeads(beads, { statuses: ['open'], label: 'l1' }))).toEqual(idsOf(listBeads(all, { statuses: ['open'], label: 'l1' })));
            expect(idsOf(listBeads(beads, { assignee: 'none' }))).toEqual(idsOf(listBeads(all, { assignee: 'none' })));
            expect(idsOf(inbox(beads, 'overseer', { unread: true }))).toEqual(idsOf(inbox(all, 'overseer', { unread: true })));
            expect(idsOf(childrenOf(beads, 'a'))).toEqual(idsOf(childrenOf(all, 'a')));
            expect(idsOf(dependentsOf(beads, 'b'))).toEqual(idsOf(dependentsOf(all, 'b')));
            // The counts table (type/status filters, the kind's size) against the rows themselves
            // (a `lacks` no bead has sends the same filter to SQL) and against the replay.
            // (A reader that found the index behind and could not catch it up reads from memory.)
            const queries = queriesOf(beads);
            const every = [...all.values()];
            if (queries) indexedRuns++;
            const counted: [Where, (b: Bead) => boolean][] = [
              [{}, () => true],
              [{ fields: { status: 'closed' }, not: { type: ['message', 'merge_request'] } }, (b) => b.status === 'closed' && b.type !== 'message'],
              [{ fields: { type: ['task', 'bug'], status: ['open', 'blocked'] } }, (b) => ['task', 'bug'].includes(b.type) && ['open', 'blocked'].includes(b.status)],
              [{ not: { status: ['closed'] } }, (b) => b.status !== 'closed'],
            ];
            if (queries)
              for (const [where, test] of counted) {
                expect(queries.count(where)).toBe(every.filter(test).length);
                expect(queries.count({ ...where, lacks: { field: 'labels', value: 'none' } })).toBe(every.filter(test).length);
              }
            // Newest closed first (closed_at, then id), and a merge request's bead.
            const closed = every.filter((b) => b.status === 'closed' && b.closed_at).sort((a, b) => (a.closed_at! > b.closed_at! ? -1 : a.closed_at! < b.closed_at! ? 1 : a.id < b.id ? -1 : 1));
            if (queries) expect(idsOf(queries.find({ fields: { status: 'closed' } }, 'closed-newest', 2) as Bead[])).toEqual(idsOf(closed.slice(0, 2)));
            if (queries) expect(idsOf(queries.find({ fields: { bead: 'a' } }, 'none') as Bead[]).sort()).toEqual(every.filter((b) => (b as { bead?: string }).bead === 'a').map((b) => b.id).sort());
            // Iterating loads the whole state from the index: the same entities.
            expect(sorted(beads)).toEqual(sorted(all));
          } finally {
            indexed.close();
            replay.close();
          }
        }
      }),
      { numRuns: RUNS },
    );
    // Most views are index-backed (the checks above ran).
    expect(indexedRuns).toBeGreaterThan(RUNS);
  });
});

function readFileSafe(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}
