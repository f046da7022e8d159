import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../../helpers/temp.js';
import { open, set } from './helpers.js';
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
    const writers = Array.from({ length: 8 }, (_, k) => new Writer({ dir, writer: `w${k}`, count: 250, segmentBytes: 64 * 1024, checkpointEvery: 300 }));
    cleanups.push(() => writers.forEach((w) => w.kill()));
    const exits = await Promise.all(writers.map((w) => w.exited));
    writers.forEach((w, k) => expect(exits[k], w.errors).toEqual({ code: 0, signal: null }));
    const acks = writers.flatMap((w) => w.acks);
    expect(acks).toHaveLength(2000);
    expect(new Set(acks.map((a) => a.seq)).size).toBe(2000);
    // Projection files under concurrent writers are checked by the kill storm (storm.test.ts);
    // here each mutation costs one fsync, not two, to keep the suite quick on a busy disk.
    const { seq } = verifyStore(dir, acks);
    expect(seq).toBe(2000);
  }, 300_000);

  it('a lock holder killed with kill -9 does not block the others', async () => {
    const root = tempDir('citadel-journal-');
    cleanups.push(root.dispose);
    const dir = join(root.path, 'journal');
    const lockModule = new URL('../../../dist/journal/lock.js', import.meta.url).href;
    const holder = spawn(process.execPath, ['--input-type=module', '-e', `import { StoreLock } from ${JSON.stringify(lockModule)}; const l = new StoreLock(${JSON.stringify(dir)}, 'doomed'); if (!l.tryAcquire()) process.exit(5); console.log('held'); setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => holder.kill('SIGKILL'));
    mkdirSync(dir, { recursive: true });
    let out = '';
    holder.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => out.includes('held'), 'the holder to take the lock');
    const journal = open(dir, { lockTimeoutMs: 150 });
    cleanups.push(() => journal.close());
    await expect(set(journal, 'items', 'a')).rejects.toThrow(new RegExp(`held by pid ${holder.pid} \\(doomed`));
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.on('close', resolve));
    const patient = open(dir, { lockTimeoutMs: 1000 });
    cleanups.push(() => patient.close());
    expect(await set(patient, 'items', 'a')).toBe(1);
  });
});
