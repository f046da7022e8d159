import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CitadelError } from '../../../src/common/errors.js';
import { tempDir } from '../../helpers/temp.js';
import { dump, open, put, set } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});
function temp(): string {
  const dir = tempDir('citadel-journal-');
  cleanups.push(dir.dispose);
  return dir.path;
}

describe('the journal (one process)', () => {
  it('assigns contiguous seqs, keeps full snapshots and tombstones, and replays them on reopen', async () => {
    const dir = temp();
    const journal = open(join(dir, 'journal'));
    cleanups.push(() => journal.close());
    expect(journal.read().seq).toBe(0);
    expect(await set(journal, 'beads', 'a', { title: 'one' })).toBe(1);
    expect(await set(journal, 'beads', 'b', { title: 'two' })).toBe(2);
    const result = await journal.mutate((state) => ({
      changes: [{ kind: 'beads', id: 'a', entity: null, action: 'delete' }, put('beads', 'c', { from: state.get('beads', 'b')?.title })],
      value: 'done',
    }));
    expect(result.value).toBe('done');
    expect(result.records.map((r) => [r.seq, r.id, r.deleted ?? false, r.batch])).toEqual([
      [3, 'a', true, 2],
      [4, 'c', false, 2],
    ]);
    expect(journal.read().get('beads', 'a')).toBeUndefined();
    expect(journal.read().get('beads', 'c')).toEqual({ id: 'c', from: 'two' });
    const again = open(join(dir, 'journal'));
    cleanups.push(() => again.close());
    expect(dump(again, ['beads'])).toEqual(dump(journal, ['beads']));
    expect([...again.records()].map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect([...again.records(3)].map((r) => r.action)).toEqual(['delete', 'put']);
    expect(again.headSeq()).toBe(4);
  });

  it('writes nothing when the mutator throws or changes nothing', async () => {
    const dir = temp();
    const journal = open(join(dir, 'journal'));
    cleanups.push(() => journal.close());
    await set(journal, 'beads', 'a');
    await expect(journal.mutate(() => {
      throw new CitadelError('refused', 'no');
    })).rejects.toThrow('no');
    const empty = await journal.mutate(() => ({ changes: [], value: 1 }));
    expect(empty.seq).toBe(1);
    expect(empty.records).toEqual([]);
    expect(journal.headSeq()).toBe(1);
    expect([...journal.records()]).toHaveLength(1);
  });

  it('refuses kinds and ids that are not safe as file names', async () => {
    const journal = open(join(temp(), 'journal'));
    cleanups.push(() => journal.close());
    await expect(set(journal, 'beads', '../x')).rejects.toThrow(/bad id/);
    await expect(set(journal, 'Beads/x', 'a')).rejects.toThrow(/bad kind/);
    await expect(journal.mutate(() => ({ changes: [{ kind: 'beads', id: 'a', entity: { id: 'b' }, action: 'x' }], value: 0 }))).rejects.toThrow(/entity.id/);
    expect(journal.read().seq).toBe(0);
  });

  it('writes per-entity projections and removes them on delete', async () => {
    const dir = temp();
    const journal = open(join(dir, 'journal'), { projections: dir });
    cleanups.push(() => journal.close());
    await set(journal, 'beads', 'ct-1', { title: 'x' });
    expect(JSON.parse(readFileSync(join(dir, 'beads', 'ct-1.json'), 'utf8'))).toEqual({ id: 'ct-1', title: 'x' });
    await journal.mutate(() => ({ changes: [{ kind: 'beads', id: 'ct-1', entity: null, action: 'delete' }], value: 0 }));
    expect(existsSync(join(dir, 'beads', 'ct-1.json'))).toBe(false);
    // A projection directory deleted by hand is rebuilt by the next reader.
    await set(journal, 'beads', 'ct-2', { title: 'y' });
    rmSync(join(dir, 'beads'), { recursive: true });
    const reader = open(join(dir, 'journal'), { projections: dir });
    cleanups.push(() => reader.close());
    reader.read();
    expect(JSON.parse(readFileSync(join(dir, 'beads', 'ct-2.json'), 'utf8'))).toEqual({ id: 'ct-2', title: 'y' });
  });

  it('a second handle sees the first one\'s writes on its next read (the watermark check)', async () => {
    const dir = join(temp(), 'journal');
    const a = open(dir);
    const b = open(dir);
    cleanups.push(() => a.close(), () => b.close());
    const before = b.read();
    await set(a, 'beads', 'x', { n: 1 });
    expect(before.seq).toBe(0);
    expect(before.get('beads', 'x')).toBeUndefined();
    expect(b.read().get('beads', 'x')).toEqual({ id: 'x', n: 1 });
    await set(b, 'beads', 'x', { n: 2 });
    expect(a.read().get('beads', 'x')).toEqual({ id: 'x', n: 2 });
    expect(a.read().seq).toBe(2);
  });

  it('rolls segments at the size limit, checkpoints, archives old segments and still reads all history', async () => {
    const dir = join(temp(), 'journal');
    const journal = open(dir, { segmentBytes: 1024, checkpointEvery: 30 });
    cleanups.push(() => journal.close());
    for (let i = 1; i <= 200; i++) await set(journal, 'beads', `b${i % 17}`, { i });
    const names = readdirSync(dir);
    expect(names.some((n) => n.startsWith('snapshot-'))).toBe(true);
    const archived = readdirSync(join(dir, 'archive'));
    expect(archived.length).toBeGreaterThan(3);
    expect([...journal.records()].map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect([...journal.records(150)].map((r) => r.seq)[0]).toBe(150);
    const cold = open(dir);
    cleanups.push(() => cold.close());
    expect(dump(cold, ['beads'])).toEqual(dump(journal, ['beads']));
    expect(cold.read().seq).toBe(200);
  });

  it('keeps views consistent: a view taken earlier does not change under later mutations', async () => {
    const journal = open(join(temp(), 'journal'));
    cleanups.push(() => journal.close());
    await set(journal, 'beads', 'a', { n: 1 });
    const view = journal.read();
    await set(journal, 'beads', 'a', { n: 2 });
    await set(journal, 'beads', 'b');
    expect(view.get('beads', 'a')).toEqual({ id: 'a', n: 1 });
    expect(view.all('beads').size).toBe(1);
    expect(journal.read().all('beads').size).toBe(2);
  });

  it('a long-lived handle catches up across segments archived since it last read', async () => {
    const dir = join(temp(), 'journal');
    const reader = open(dir);
    const writer = open(dir, { segmentBytes: 600, checkpointEvery: 10 });
    cleanups.push(() => reader.close(), () => writer.close());
    for (let i = 0; i < 5; i++) await set(writer, 'beads', `b${i}`, { i });
    expect(reader.read().seq).toBe(5);
    for (let i = 5; i < 120; i++) await set(writer, 'beads', `b${i % 9}`, { i });
    expect(readdirSync(join(dir, 'archive')).length).toBeGreaterThan(2);
    expect(reader.read().seq).toBe(120);
    expect(dump(reader, ['beads'])).toEqual(dump(writer, ['beads']));
  });

  it('skips a damaged snapshot and survives a lost HEAD.json (both are caches)', async () => {
    const root = temp();
    const dir = join(root, 'journal');
    const journal = open(dir, { checkpointEvery: 10, projections: root });
    cleanups.push(() => journal.close());
    for (let i = 0; i < 25; i++) await set(journal, 'beads', `b${i % 7}`, { i });
    const snapshots = readdirSync(dir).filter((f) => f.startsWith('snapshot-')).sort();
    expect(snapshots.length).toBe(1); // one kept: damaged, the state replays from the (archived) segments
    const newest = join(dir, snapshots.at(-1)!);
    writeFileSync(newest, readFileSync(newest).subarray(0, 100));
    rmSync(join(dir, 'HEAD.json'));
    rmSync(join(root, 'beads', 'b3.json'));
    const cold = open(dir, { projections: root });
    cleanups.push(() => cold.close());
    expect(dump(cold, ['beads'])).toEqual(dump(journal, ['beads']));
    expect(cold.headSeq()).toBe(25);
    // Without HEAD the projection watermark is unknown: the reader rebuilds them all.
    expect(JSON.parse(readFileSync(join(root, 'beads', 'b3.json'), 'utf8'))).toEqual(journal.read().get('beads', 'b3'));
  });

  it('records(fromSeq) from a warm handle (its recent history, then what others appended since) equals a cold read', async () => {
    const dir = join(temp(), 'journal');
    const warm = open(dir, { segmentBytes: 500, checkpointEvery: 15 });
    const other = open(dir, { segmentBytes: 500, checkpointEvery: 15 });
    cleanups.push(() => warm.close(), () => other.close());
    for (let i = 0; i < 40; i++) await set(warm, 'beads', `b${i % 6}`, { i });
    warm.read();
    for (let i = 40; i < 55; i++) await set(other, 'beads', `b${i % 6}`, { i });
    const cold = open(dir);
    cleanups.push(() => cold.close());
    for (const from of [1, 10, 38, 40, 41, 50, 55, 56]) {
      expect([...warm.records(from)], `from ${from}`).toEqual([...cold.records(from)]);
    }
    expect([...warm.records(41)].map((r) => r.seq)).toEqual(Array.from({ length: 15 }, (_, k) => k + 41));
  });

  it('keeps any Unicode text exact through records, snapshots and projections', async () => {
    const root = temp();
    const dir = join(root, 'journal');
    const text = 'héllo ✓ 😀 \u2028 中文 \u0000 "quoted" \\ end';
    const journal = open(dir, { checkpointEvery: 2, projections: root });
    cleanups.push(() => journal.close());
    for (let i = 0; i < 5; i++) await set(journal, 'beads', `u${i}`, { text, i });
    expect(readdirSync(dir).some((f) => f.startsWith('snapshot-'))).toBe(true);
    const cold = open(dir);
    cleanups.push(() => cold.close());
    for (let i = 0; i < 5; i++) expect(cold.read().get('beads', `u${i}`)).toEqual({ id: `u${i}`, text, i });
    expect([...cold.records()][0]!.entity).toEqual({ id: 'u0', text, i: 0 });
    expect(JSON.parse(readFileSync(join(root, 'beads', 'u4.json'), 'utf8'))).toEqual({ id: 'u4', text, i: 4 });
  });
});
