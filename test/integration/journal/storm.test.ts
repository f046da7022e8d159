import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../../helpers/temp.js';
import { Writer, type Ack } from './processes.js';
import { verifyStore } from './verify.js';

const KILLS = Number(process.env.CITADEL_SOAK_KILLS ?? 200);
const PER_ROUND = 6;

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

describe('kill -9 storm', () => {
  it(`writers killed at random moments (${KILLS} kills): nothing acknowledged lost, no duplicate or missing seq, projections equal a rebuild`, async () => {
    const root = tempDir('citadel-journal-');
    cleanups.push(root.dispose);
    const dir = join(root.path, 'journal');
    const acks: Ack[] = [];
    let kills = 0;
    let lastSeq = 0;
    for (let round = 0; kills < KILLS; round++) {
      const writers = Array.from(
        { length: PER_ROUND },
        (_, k) =>
          new Writer({
            dir,
            writer: `r${round}w${k}`,
            count: 0,
            projections: root.path,
            segmentBytes: 8 * 1024,
            checkpointEvery: 40,
            keys: 5,
            batches: true,
          }),
      );
      cleanups.push(() => writers.forEach((w) => w.kill()));
      // Each writer is killed at a random moment once it is mutating (some before its first ack).
      await Promise.all(
        writers.map(async (writer) => {
          const wantAcks = Math.floor(Math.random() * 4);
          await waitFor(() => writer.acks.length >= wantAcks || writer.child.exitCode !== null, 'the writer to start mutating', { timeoutMs: 30_000, intervalMs: 5 });
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
          writer.kill();
          const exit = await writer.exited;
          expect(exit.signal, writer.errors).toBe('SIGKILL');
          kills++;
        }),
      );
      for (const writer of writers) {
        expect(writer.failures).toEqual([]);
        acks.push(...writer.acks);
      }
      // Recovery: a fresh handle reconciles (sets aside a torn tail, catches projections up).
      const { seq } = verifyStore(dir, acks, root.path);
      expect(seq).toBeGreaterThanOrEqual(lastSeq);
      lastSeq = seq;
    }
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    expect(acks.length).toBeGreaterThan(0);
  }, 600_000);
});
