import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inspectJournal } from '../../src/journal/doctor.js';
import { repairJournal } from '../../src/journal/repair.js';
import { allSegments } from '../../src/journal/segments.js';
import { tempDir } from '../helpers/temp.js';
import { open, put } from './helpers.js';

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
  it('a whole segment lost: its seqs become quarantine markers, later records stay, snapshots after the loss are set aside', async () => {
    const { root, dir, segments } = await store(24, { checkpointEvery: 12 });
    expect(segments.length).toBeGreaterThan(2);
    const before = inspectJournal(dir, { projections: root });
    expect(before.ok).toBe(true);
    const victim = segments[1]!;
    writeFileSync(victim, '');
    const damaged = inspectJournal(dir, { projections: root });
    expect(damaged.ok).toBe(false);
    expect(damaged.corrupt[0]).toMatchObject({ reason: expect.stringMatching(/segment starts at seq/) });
    const actions = await repairJournal(dir, { writer: 'test', projections: root });
    expect(actions.join('\n')).toMatch(/quarantined \d+ record/);
    const after = inspectJournal(dir, { projections: root });
    expect(after.problems).toEqual([]);
    expect(after.seq).toBe(before.seq);
    expect(after.quarantined).toBeGreaterThan(0);
    expect(after.events + after.quarantined).toBe(before.events);
    const journal = open(dir, { projections: root });
    cleanups.push(() => journal.close());
    const seqs = [...journal.records()].map((r) => r.seq);
    expect(seqs.at(-1)).toBe(before.seq);
    expect(journal.read().get('beads', 'b23')).toEqual({ id: 'b23', i: 23 });
    expect((await journal.mutate(() => ({ changes: [put('beads', 'new')], value: 0 }))).seq).toBe(before.seq + 1);
  });

  it('a mutation that lost one of its records is quarantined whole, never half-applied', async () => {
    const { root, dir, segments } = await store(8);
    // Mutation i=3 wrote b3 and c3 (seqs 4 and 5, batch 2): damage only c3's record.
    const file = segments.find((s) => readFileSync(s, 'utf8').includes('"c3"'))!;
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('"id":"c3","i":3', '"id":"c3","i":4'));
    const actions = await repairJournal(dir, { writer: 'test', projections: root });
    expect(actions.join('\n')).toContain('quarantined 2 record');
    const journal = open(dir, { projections: root });
    cleanups.push(() => journal.close());
    expect(journal.read().get('beads', 'b3')).toBeUndefined();
    expect(journal.read().get('beads', 'c3')).toBeUndefined();
    expect(journal.read().get('beads', 'b4')).toEqual({ id: 'b4', i: 4 });
    expect(inspectJournal(dir, { projections: root }).problems).toEqual([]);
  });
});
