import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CitadelError } from '../../../src/common/errors.js';
import { tempDir } from '../../helpers/temp.js';
import { dump, open, put } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/**
 * A journal of `n` mutations in one segment (no snapshot), the last one of `lastRecords` records.
 * `head` is HEAD.json as it was before the last mutation: a writer that dies mid-append never
 * wrote the HEAD.json that counts it.
 */
async function build(n: number, lastRecords: number): Promise<{ dir: string; segment: string; before: number; full: Buffer; head: Buffer }> {
  const root = tempDir('citadel-journal-');
  cleanups.push(root.dispose);
  const dir = join(root.path, 'journal');
  const journal = open(dir, { segmentBytes: 1 << 20, checkpointEvery: 1 << 20, fsync: false });
  for (let i = 0; i < n - 1; i++) await journal.mutate(() => ({ changes: [put('beads', `b${i % 3}`, { i })], value: 0 }));
  const segment = join(dir, readdirSync(dir).find((f) => f.startsWith('seg-'))!);
  const before = readFileSync(segment).length;
  const head = readFileSync(join(dir, 'HEAD.json'));
  await journal.mutate(() => ({ changes: Array.from({ length: lastRecords }, (_, k) => put('beads', `last${k}`, { k })), value: 0 }));
  journal.close();
  return { dir, segment, before, full: readFileSync(segment), head };
}

function expectCorrupt(action: () => unknown, segment: string): CitadelError {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'damage was not detected').toBeInstanceOf(CitadelError);
  const error = caught as CitadelError;
  expect(error.code).toBe('corrupt');
  expect(error.message).toContain(segment);
  expect(error.message).toMatch(/at byte \d+ \(seq \d+\)/);
  return error;
}

describe('torn writes', { timeout: 180_000 }, () => {
  for (const lastRecords of [1, 3]) {
    it(`truncating the last mutation (${lastRecords} record${lastRecords > 1 ? 's' : ''}) at every byte offset recovers to the mutation before it`, async () => {
      const { dir, segment, before, full, head } = await build(6, lastRecords);
      const reference = open(join(dir, '..', 'unused'), { fsync: false });
      cleanups.push(() => reference.close());
      for (let cut = before; cut < full.length; cut++) {
        writeFileSync(segment, full.subarray(0, cut));
        writeFileSync(join(dir, 'HEAD.json'), head);
        for (const f of readdirSync(dir)) if (f.endsWith('.broken')) writeFileSync(join(dir, f), '');
        const journal = open(dir, { fsync: false });
        try {
          const view = journal.read();
          expect(view.seq, `cut at byte ${cut}`).toBe(5);
          expect(view.get('beads', 'last0')).toBeUndefined();
          expect([...journal.records()].map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
          // The next writer sets the torn bytes aside and continues at seq 6.
          const result = await journal.mutate(() => ({ changes: [put('beads', 'after', { cut })], value: 0 }));
          expect(result.seq).toBe(6);
          const torn = full.subarray(before, cut).toString('utf8').replace(/\n/g, '');
          if (torn.length) {
            expect(journal.recoveries).toHaveLength(1);
            expect(readFileSync(join(dir, journal.recoveries[0]!.file!), 'utf8').replace(/\n/g, '')).toBe(torn);
          }
          const again = open(dir, { fsync: false });
          expect(again.read().get('beads', 'after')).toEqual({ id: 'after', cut });
          expect(again.read().seq).toBe(6);
          again.close();
        } finally {
          journal.close();
        }
      }
      writeFileSync(segment, full);
    });
  }
});

/**
 * Damage before what a cache covers is not read by a cold read: a snapshot's, or the query
 * index's (docs/journal.md, "The query index"); `doctor` finds it. These readers replay the whole
 * journal, as without either.
 */
const NO_INDEX = { fsync: false, queryIndex: false } as const;

describe('bit flips', { timeout: 180_000 }, () => {
  it('a flipped bit anywhere before the last mutation is detected: the store fails closed naming segment, byte and seq', async () => {
    const { dir, segment, before, full } = await build(8, 1);
    const bytes = Buffer.from(full);
    const name = segment.split('/').pop()!;
    for (let pos = 0; pos < before; pos++) {
      const bit = 1 << (pos % 8);
      bytes[pos]! ^= bit;
      writeFileSync(segment, bytes);
      const journal = open(dir, NO_INDEX);
      try {
        const error = expectCorrupt(() => journal.read(), name);
        expect(error.details?.offset as number).toBeLessThanOrEqual(pos + 1);
        expectCorrupt(() => [...journal.records()], name);
        if (pos % 16 === 0) await expect(journal.mutate(() => ({ changes: [put('beads', 'x')], value: 0 }))).rejects.toThrow(/journal corrupt/);
      } finally {
        journal.close();
      }
      bytes[pos]! ^= bit;
    }
    writeFileSync(segment, bytes);
    const journal = open(dir, NO_INDEX);
    expect(journal.read().seq).toBe(8);
    journal.close();
    expect(existsSync(segment)).toBe(true);
  });

  it('a seq gap or a repeated seq between segments fails closed', async () => {
    const root = tempDir('citadel-journal-');
    cleanups.push(root.dispose);
    const dir = join(root.path, 'journal');
    const journal = open(dir, { segmentBytes: 200, checkpointEvery: 1 << 20, fsync: false });
    for (let i = 0; i < 6; i++) await journal.mutate(() => ({ changes: [put('beads', `b${i}`)], value: 0 }));
    const state = dump(journal, ['beads']);
    journal.close();
    const segments = readdirSync(dir).filter((f) => f.startsWith('seg-')).sort();
    expect(segments.length).toBeGreaterThan(2);
    // Drop the second segment's content: the third now starts after a gap.
    const second = join(dir, segments[1]!);
    const saved = readFileSync(second);
    writeFileSync(second, '');
    expectCorrupt(() => open(dir, NO_INDEX).read(), segments[2]!);
    writeFileSync(second, saved);
    const ok = open(dir, NO_INDEX);
    expect(dump(ok, ['beads'])).toEqual(state);
    ok.close();
  });
});
