import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp.js';
import { Writer } from './processes.js';
import { verifyStore } from './verify.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

describe('the journal under concurrent writer processes', () => {
  it('8 processes × 250 mutations: seqs exactly 1..2000, each acknowledged mutation once, each writer in order', async () => {
    const root = tempDir('citadel-journal-');
    cleanups.push(root.dispose);
    const dir = join(root.path, 'journal');
    const writers = Array.from({ length: 8 }, (_, k) => new Writer({ dir, writer: `w${k}`, count: 250, projections: root.path, segmentBytes: 64 * 1024, checkpointEvery: 300 }));
    cleanups.push(() => writers.forEach((w) => w.kill()));
    const exits = await Promise.all(writers.map((w) => w.exited));
    writers.forEach((w, k) => expect(exits[k], w.errors).toEqual({ code: 0, signal: null }));
    const acks = writers.flatMap((w) => w.acks);
    expect(acks).toHaveLength(2000);
    expect(new Set(acks.map((a) => a.seq)).size).toBe(2000);
    const { seq } = verifyStore(dir, acks, root.path);
    expect(seq).toBe(2000);
  }, 300_000);
});
