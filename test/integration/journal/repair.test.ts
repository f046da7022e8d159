import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inspectJournal } from '../../../src/journal/doctor.js';
import { repairJournal } from '../../../src/journal/repair.js';
import { allSegments } from '../../../src/journal/segments.js';
import { tempDir } from '../../helpers/temp.js';
import { dump, open, put } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

async function store(mutations: number, options: { checkpointEvery?: number } = {}): Promise<{ root: string; dir: string; segments: string[] }> {
  const root = tempDir('citadel-journal-');
  cleanups.push(root.dispose);
  const dir = join(root.path, 'journal');
  const journal = open(dir, { segmentBytes: 700, checkpointEvery: options.checkpointEvery ?? 1000, fsync: false, projections: root.path });
  for (let i = 0; i < mutations; i++) {
    const changes = i % 4 === 3 ? [put('beads', `b${i}`, { i }), put('beads', `c${i}`, { i })] : [put('beads', `b${i}`, { i })];
    await journal.mutate(() => ({ changes, value: 0 }));
  }
  journal.close();
  return { root: root.path, dir, segments: allSegments(dir).map((s) => s.path) };
}

describe('doctor --repair (the journal side)', () => {
  it('a whole segment lost: nothing acknowledged is lost (snapshot and projection files hold it), seqs stay contiguous and are not reused', async () => {
    const { root, dir, segments } = await store(24, { checkpointEvery: 12 });
    expect(segments.length).toBeGreaterThan(2);
    const before = inspectJournal(dir, { projections: root });
    expect(before.ok).toBe(true);
    const reference = open(dir, { projections: root });
    const state = dump(reference, ['beads']);
    reference.close();
    const victim = segments[1]!;
    writeFileSync(victim, '');
    const damaged = inspectJournal(dir, { projections: root });
    expect(damaged.ok).toBe(false);
    expect(damaged.corrupt[0]).toMatchObject({ reason: expect.stringMatching(/segment starts at seq|lost/) });
    const actions = await repairJournal(dir, { writer: 'test', projections: root });
    expect(actions.join('\n')).toMatch(/rewrote (archive\/)?seg-\d+\.jsonl(\.cz)? .*quarantine markers/);
    expect(actions.join('\n')).toMatch(/recovered \d+ entit/);
    const after = inspectJournal(dir, { projections: root });
    expect(after.problems).toEqual([]);
    expect(after.seq).toBeGreaterThanOrEqual(before.seq);
    const journal = open(dir, { projections: root });
    cleanups.push(() => journal.close());
    expect(dump(journal, ['beads'])).toEqual(state);
    const seqs = [...journal.records()].map((r) => r.seq);
    expect(seqs.at(-1)).toBe(after.seq);
    expect((await journal.mutate(() => ({ changes: [put('beads', 'new')], value: 0 }))).seq).toBe(after.seq + 1);
  });

  it('a mutation that lost one of its records is quarantined whole (never half-applied) and its entities come back from the projection files as one new mutation', async () => {
    const { root, dir, segments } = await store(8);
    // Mutation i=3 wrote b3 and c3 (seqs 4 and 5, batch 2): damage only c3's record.
    const file = segments.find((s) => readFileSync(s, 'utf8').includes('"c3"'))!;
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('"id":"c3","i":3', '"id":"c3","i":4'));
    const damaged = inspectJournal(dir, { projections: root });
    expect(damaged.corrupt).toEqual([expect.objectContaining({ seq: 5, reason: 'CRC32C mismatch' })]);
    const actions = await repairJournal(dir, { writer: 'test', projections: root });
    expect(actions.join('\n')).toContain('2 lost record(s) now quarantine markers');
    expect(actions.join('\n')).toMatch(/recovered 2 entities the journal lost \(2 from projection files\) as new records at seqs 11\.\.12/);
    const journal = open(dir, { projections: root });
    cleanups.push(() => journal.close());
    expect(journal.read().get('beads', 'b3')).toEqual({ id: 'b3', i: 3 });
    expect(journal.read().get('beads', 'c3')).toEqual({ id: 'c3', i: 3 });
    expect(journal.read().get('beads', 'b4')).toEqual({ id: 'b4', i: 4 });
    const history = [...journal.records()];
    expect(history.map((r) => r.seq)).toEqual([1, 2, 3, 6, 7, 8, 9, 10, 11, 12]);
    expect(history.slice(-2).map((r) => [r.action, r.batch])).toEqual([['recover', 2], ['recover', 2]]);
    expect(inspectJournal(dir, { projections: root }).problems).toEqual([]);
  });
});
