import { mkdirSync, readdirSync, readFileSync, lstatSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { CitadelError } from '../../../src/common/errors.js';
import { inspectJournal } from '../../../src/journal/doctor.js';
import type { Change, Entity } from '../../../src/journal/index.js';
import { repairJournal } from '../../../src/journal/repair.js';
import { tempDir } from '../../helpers/temp.js';
import { open } from './helpers.js';

/**
 * Random damage to `.citadel/journal` — a file truncated at any offset, deleted, put back to an
 * older copy, replaced by another file, a flipped bit, a symbolic link — against one invariant:
 * every acknowledged mutation is either readable or every command fails closed, and
 * `doctor --repair` loses no acknowledged entity that some file still holds (here the projection
 * files hold all of them). `CITADEL_DAMAGE_RUNS` (default 25) sets the number of runs.
 */
const RUNS = Number(process.env.CITADEL_DAMAGE_RUNS ?? 25);
const OPTIONS = { segmentBytes: 600, checkpointEvery: 6, fsync: false } as const;

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const walk = (dir: string): string[] =>
  readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return lstatSync(path).isDirectory() ? walk(path) : [path];
    });

type Model = Map<string, Entity>;
const asModel = (journal: ReturnType<typeof open>): Model => new Map([...journal.read().all('beads')].map(([id, e]) => [id, e]));
const sorted = (model: Model): [string, Entity][] => [...model].sort(([a], [b]) => a.localeCompare(b));

const mutation = fc.record({ ids: fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 3 }), remove: fc.boolean(), value: fc.integer() });
const damage = fc.record({
  kind: fc.constantFrom('truncate', 'delete', 'older copy', 'other file', 'bit flip', 'symlink'),
  file: fc.nat(),
  at: fc.nat(),
  bit: fc.integer({ min: 0, max: 7 }),
});

describe('random damage to the journal (property)', () => {
  it(`acknowledged mutations are readable or fail closed; --repair loses nothing a file still holds (${RUNS} runs)`, { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 3, maxLength: 30 }), fc.nat(), damage, async (mutations, saveAt, hurt) => {
        const root = tempDir('citadel-damage-');
        cleanups.push(root.dispose);
        const dir = join(root.path, 'journal');
        const victim = join(root.path, 'outside', 'precious.txt');
        mkdirSync(join(root.path, 'outside'));
        writeFileSync(victim, 'precious\n');

        // Build: every acknowledged mutation goes into the model; an older copy of every file is kept.
        const model: Model = new Map();
        const older = new Map<string, Buffer>();
        const journal = open(dir, { ...OPTIONS, projections: root.path });
        for (const [index, m] of mutations.entries()) {
          const changes: Change[] = m.ids.map((n) => {
            const id = `b${n}`;
            if (m.remove && model.has(id)) return { kind: 'beads', id, entity: null, action: 'delete' };
            return { kind: 'beads', id, entity: { id, value: m.value, step: index }, action: 'put' };
          });
          await journal.mutate(() => ({ changes, value: 0 }));
          for (const c of changes) {
            if (c.entity) model.set(c.id, c.entity);
            else model.delete(c.id);
          }
          if (index === saveAt % mutations.length) for (const file of walk(dir)) older.set(relative(dir, file), readFileSync(file));
        }
        journal.close();

        // One piece of damage.
        const files = walk(dir);
        const file = files[hurt.file % files.length]!;
        const bytes = readFileSync(file);
        switch (hurt.kind) {
          case 'truncate':
            if (bytes.length) truncateSync(file, hurt.at % bytes.length);
            break;
          case 'delete':
            unlinkSync(file);
            break;
          case 'older copy': {
            const copy = older.get(relative(dir, file));
            if (copy) writeFileSync(file, copy);
            else unlinkSync(file);
            break;
          }
          case 'other file':
            writeFileSync(file, readFileSync(files[(hurt.file + 1) % files.length]!));
            break;
          case 'bit flip':
            if (bytes.length) {
              bytes[hurt.at % bytes.length]! ^= 1 << hurt.bit;
              writeFileSync(file, bytes);
            }
            break;
          case 'symlink':
            unlinkSync(file);
            symlinkSync(victim, file);
            break;
        }
        const what = `${hurt.kind} of ${relative(dir, file)} (${bytes.length} bytes, at ${hurt.at % Math.max(bytes.length, 1)})`;

        // Reads: the whole acknowledged state, or a CitadelError.
        let readable = false;
        const reader = open(dir, { ...OPTIONS, projections: root.path });
        try {
          expect(sorted(asModel(reader)), what).toEqual(sorted(model));
          readable = true;
        } catch (error) {
          if (!(error instanceof CitadelError)) throw error;
        } finally {
          reader.close();
        }
        // Writes: never on top of a journal that reads refuse (no seq reused); else on top of all of it.
        const writer = open(dir, { ...OPTIONS, projections: root.path });
        try {
          const result = await writer.mutate(() => ({ changes: [{ kind: 'beads', id: 'after', entity: { id: 'after' }, action: 'put' }], value: 0 }));
          expect(readable, `a write succeeded (seq ${result.seq}) where reads fail closed: ${what}`).toBe(true);
          model.set('after', { id: 'after' });
          expect(sorted(asModel(writer)), what).toEqual(sorted(model));
        } catch (error) {
          if (!(error instanceof CitadelError)) throw error;
        } finally {
          writer.close();
        }

        // Repair: a link is refused until the user removes it; then nothing the projections hold is lost.
        try {
          await repairJournal(dir, { writer: 'test', projections: root.path });
        } catch (error) {
          if (!(error instanceof CitadelError) || !lstatSync(file, { throwIfNoEntry: false })?.isSymbolicLink()) throw error;
          unlinkSync(file);
          await repairJournal(dir, { writer: 'test', projections: root.path });
        }
        const repaired = open(dir, { ...OPTIONS, projections: root.path });
        try {
          const state = asModel(repaired);
          for (const [id, entity] of model) expect(state.get(id), `${id} after repair of ${what}`).toEqual(entity);
        } finally {
          repaired.close();
        }
        expect(inspectJournal(dir, { projections: root.path }).problems, what).toEqual([]);
        expect(readFileSync(victim, 'utf8'), what).toBe('precious\n');
      }),
      { numRuns: RUNS },
    );
  });
});
