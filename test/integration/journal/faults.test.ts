import type * as fsModule from 'node:fs';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../helpers/temp.js';
import { dump, open, put } from './helpers.js';

/** Injected filesystem faults: node:fs with switchable failures for the journal's append path. */
const faults = vi.hoisted(() => ({ fsync: undefined as string | undefined, write: undefined as string | undefined }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof fsModule>();
  const fail = (code: string): never => {
    throw Object.assign(new Error(`${code}: injected fault`), { code });
  };
  return {
    ...real,
    fdatasyncSync: (fd: number) => (faults.fsync ? fail(faults.fsync) : real.fdatasyncSync(fd)),
    writeSync: (...args: Parameters<typeof real.writeSync>) => {
      if (faults.write && typeof args[1] !== 'string' && (args[1] as Buffer).length > 20) {
        // A short write first (half the buffer lands), then the device is full.
        const buffer = args[1] as Buffer;
        const offset = (args[2] as number) ?? 0;
        if (offset === 0) return real.writeSync(args[0], buffer, 0, Math.floor(buffer.length / 2));
        fail(faults.write);
      }
      return (real.writeSync as (...a: unknown[]) => number)(...args);
    },
  };
});

const cleanups: (() => void)[] = [];
afterEach(() => {
  faults.fsync = undefined;
  faults.write = undefined;
  while (cleanups.length) cleanups.pop()!();
});

describe('injected append faults', () => {
  for (const fault of [
    { name: 'a failed fsync (EIO)', set: () => (faults.fsync = 'EIO') },
    { name: 'a short write then ENOSPC', set: () => (faults.write = 'ENOSPC') },
  ]) {
    it(`${fault.name} fails the mutation with nothing applied, on disk or in memory`, async () => {
      const root = tempDir('citadel-journal-');
      cleanups.push(root.dispose);
      const dir = join(root.path, 'journal');
      const journal = open(dir, { projections: root.path });
      cleanups.push(() => journal.close());
      await journal.mutate(() => ({ changes: [put('beads', 'a', { n: 1 })], value: 0 }));
      const segment = join(dir, readdirSync(dir).find((f) => f.startsWith('seg-'))!);
      const bytes = readFileSync(segment);
      const state = dump(journal, ['beads']);
      fault.set();
      await expect(journal.mutate(() => ({ changes: [put('beads', 'a', { n: 2 }), put('beads', 'b')], value: 0 }))).rejects.toMatchObject({ code: 'io' });
      faults.fsync = undefined;
      faults.write = undefined;
      expect(readFileSync(segment)).toEqual(bytes);
      expect(dump(journal, ['beads'])).toEqual(state);
      expect(JSON.parse(readFileSync(join(root.path, 'beads', 'a.json'), 'utf8'))).toEqual({ id: 'a', n: 1 });
      const other = open(dir);
      expect(other.read().seq).toBe(1);
      other.close();
      // The lock was released and the journal works again.
      const result = await journal.mutate(() => ({ changes: [put('beads', 'a', { n: 3 })], value: 0 }));
      expect(result.seq).toBe(2);
      expect(journal.read().get('beads', 'a')).toEqual({ id: 'a', n: 3 });
    });
  }
});
