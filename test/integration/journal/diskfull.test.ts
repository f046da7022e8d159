import { readdirSync, statSync } from 'node:fs';
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

const LIMIT_KB = 48;

describe('disk full', () => {
  it('appends failing with EFBIG (ulimit -f, SIGXFSZ ignored) leave no partial record, release the lock, and succeed again once space is back', async () => {
    const root = tempDir('citadel-journal-');
    cleanups.push(root.dispose);
    const dir = join(root.path, 'journal');
    // A writer whose files may not grow past LIMIT_KB: its segment fills up and its appends fail.
    const limited = new Writer(
      { dir, writer: 'limited', count: 0, projections: root.path, segmentBytes: 1 << 20, checkpointEvery: 1 << 20, pad: 300, keepGoing: true, ignoreSigxfsz: true, retryMs: 5 },
      ['bash', '-c', `ulimit -f ${LIMIT_KB}; trap '' XFSZ; exec "$@"`, 'bash'],
    );
    cleanups.push(() => limited.kill());
    await waitFor(() => limited.failures.length >= 3 || limited.child.exitCode !== null, 'appends to fail with EFBIG', { timeoutMs: 45_000 });
    expect(limited.child.exitCode, limited.errors).toBeNull();
    expect(limited.failures[0]).toMatch(/EFBIG/);
    expect(limited.acks.length).toBeGreaterThan(10);

    // While it keeps failing: readers see only whole records, the segment holds no partial one,
    // and the lock is free for others.
    const segment = join(dir, readdirSync(dir).find((f) => f.startsWith('seg-'))!);
    const before = verifyStore(dir, limited.acks, root.path);
    expect(before.seq).toBe(limited.acks.at(-1)!.seq);
    const journal = open(dir, { projections: root.path, segmentBytes: 1 << 20 });
    cleanups.push(() => journal.close());
    expect(statSync(segment).size).toBeLessThanOrEqual(LIMIT_KB * 1024);
    const seq = await set(journal, 'items', 'outsider', { writer: 'outsider', i: 0 });
    expect(seq).toBe(before.seq + 1);

    // Space comes back (a writer without the limit): appends succeed and the store is whole.
    limited.kill();
    await limited.exited;
    const free = new Writer({ dir, writer: 'free', count: 20, projections: root.path, segmentBytes: 1 << 20, pad: 300 });
    cleanups.push(() => free.kill());
    expect((await free.exited).code, free.errors).toBe(0);
    expect(free.acks).toHaveLength(20);
    const after = verifyStore(dir, [...limited.acks, ...free.acks], root.path);
    expect(after.seq).toBe(seq + 20);
  }, 180_000);
});
