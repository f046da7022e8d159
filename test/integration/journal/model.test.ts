import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeRecords } from '../../../src/journal/frame.js';
import type { Change, Entity, JournalRecord } from '../../../src/journal/index.js';
import { tempDir } from '../../helpers/temp.js';
import { open } from './helpers.js';

type Op =
  | { type: 'mutate'; changes: { id: string; value: number | null }[] }
  | { type: 'throw' }
  | { type: 'checkpoint' }
  | { type: 'crashTorn'; keep: number }
  | { type: 'crashAfterAppend'; id: string; value: number }
  | { type: 'reopen' }
  | { type: 'otherHandleReads' };

const id = fc.constantFrom('a', 'b', 'c', 'd', 'e');
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ type: fc.constant('mutate' as const), changes: fc.uniqueArray(fc.record({ id, value: fc.option(fc.nat(1000), { nil: null }) }), { minLength: 1, maxLength: 3, selector: (c) => c.id }) }) },
  { weight: 1, arbitrary: fc.constant({ type: 'throw' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'checkpoint' as const }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('crashTorn' as const), keep: fc.double({ min: 0, max: 0.999, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('crashAfterAppend' as const), id, value: fc.nat(1000) }) },
  { weight: 2, arbitrary: fc.constant({ type: 'reopen' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'otherHandleReads' as const }) },
);

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const toChange = (c: { id: string; value: number | null }): Change => ({ kind: 'items', id: c.id, entity: c.value === null ? null : { id: c.id, value: c.value }, action: 'set' });

describe('model-based: append / checkpoint / roll / crash / reopen against an in-memory model', { timeout: 180_000 }, () => {
  it('the journal always equals the model', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const root = tempDir('citadel-journal-model-');
        const dir = join(root.path, 'journal');
        const options = { segmentBytes: 400, checkpointEvery: 7, fsync: false, projections: root.path };
        let journal = open(dir, options);
        const model = new Map<string, Entity>();
        let seq = 0;
        const newest = (): string => join(dir, readdirSync(dir).filter((f) => f.startsWith('seg-')).sort().at(-1)!);
        const frame = (changes: Change[]): Buffer =>
          encodeRecords(
            changes.map((c, k): JournalRecord => ({
              v: 1, seq: seq + k + 1, ts: 'x', writer: 'crashed', pid: 1, action: c.action, kind: c.kind, id: c.id,
              ...(c.entity ? { entity: c.entity } : { deleted: true as const }),
              ...(changes.length > 1 ? { batch: changes.length } : {}),
            })),
          ).buffer;
        try {
          for (const o of ops) {
            if (o.type === 'mutate') {
              const result = await journal.mutate(() => ({ changes: o.changes.map(toChange), value: 0 }));
              for (const c of o.changes) {
                if (c.value === null) model.delete(c.id);
                else model.set(c.id, { id: c.id, value: c.value });
              }
              seq += o.changes.length;
              expect(result.seq).toBe(seq);
            } else if (o.type === 'throw') {
              await expect(journal.mutate(() => { throw new Error('no'); })).rejects.toThrow('no');
            } else if (o.type === 'checkpoint') {
              expect(await journal.checkpoint()).toBe(seq);
            } else if (o.type === 'crashTorn' || o.type === 'crashAfterAppend') {
              // A process dies: mid-append (a torn prefix of a two-record mutation), or just after
              // its fsync'd append, before projections and HEAD.
              journal.close();
              {
                const file = seq > 0 ? newest() : join(dir, 'seg-000000000001.jsonl');
                if (o.type === 'crashTorn') {
                  const buffer = frame([toChange({ id: 'a', value: 1 }), toChange({ id: 'b', value: 2 })]);
                  appendFileSync(file, buffer.subarray(0, Math.floor(o.keep * buffer.length)));
                } else {
                  // Died after its fsync'd append: the journal has it, projections and HEAD do not.
                  const bare = open(dir, { ...options, projections: undefined });
                  await bare.mutate(() => ({ changes: [toChange(o)], value: 0 }));
                  bare.close();
                  model.set(o.id, { id: o.id, value: o.value });
                  seq += 1;
                }
              }
              journal = open(dir, options);
            } else if (o.type === 'reopen') {
              journal.close();
              journal = open(dir, options);
            } else {
              const other = open(dir, options);
              expect(new Map(other.read().all('items'))).toEqual(model);
              other.close();
            }
            const view = journal.read();
            expect(view.seq).toBe(seq);
            expect(new Map(view.all('items'))).toEqual(model);
          }
          expect([...journal.records()].map((r) => r.seq)).toEqual(Array.from({ length: seq }, (_, k) => k + 1));
          // Projections converge on the model once a writer has passed (or a reader repaired them).
          await journal.mutate(() => ({ changes: [], value: 0 }));
          const files = existsSync(join(root.path, 'items')) ? readdirSync(join(root.path, 'items')).filter((f) => f.endsWith('.json')) : [];
          const projected = new Map(files.map((f) => [f.slice(0, -5), JSON.parse(readFileSync(join(root.path, 'items', f), 'utf8')) as Entity]));
          expect(projected).toEqual(model);
        } finally {
          journal.close();
          root.dispose();
        }
      }),
      { numRuns: Number(process.env.CITADEL_MODEL_RUNS ?? 60), examples: [[[{ type: 'mutate', changes: [{ id: 'a', value: 1 }] }, { type: 'crashTorn', keep: 0.5 }, { type: 'crashAfterAppend', id: 'b', value: 2 }, { type: 'crashTorn', keep: 0.9 }, { type: 'reopen' }, { type: 'otherHandleReads' }]]] },
    );
  });
});
