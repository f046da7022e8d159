import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CitadelError } from '../../../src/common/errors.js';
import { addNeed, beadsOf, findNeedsCycle, transact } from '../../../src/model/index.js';
import { memoryTown } from './fixtures.js';

describe('dependency cycles, property tests', () => {
  it('never lets a cycle in, and every refusal names a real cycle through the new edge', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(7), fc.nat(7)), { maxLength: 40 }), (edges) => {
        const { journal, as } = memoryTown();
        const ctx = as('overseer');
        const ids = journal.mutate(transact(ctx, (tx) => Array.from({ length: 8 }, (_, i) => tx.create({ title: `b${i}` }).id)));
        for (const [from, to] of edges) {
          const [a, b] = [ids[from]!, ids[to]!];
          try {
            journal.mutate(addNeed(ctx, a, b));
          } catch (error) {
            expect(error).toBeInstanceOf(CitadelError);
            const cycle = (error as CitadelError).message.split(': ').at(-1)!.split(' → ');
            // the named cycle starts with the new edge a → b, ends back at a, and every other
            // step is an existing need
            expect(cycle[0]).toBe(a);
            expect(cycle[1]).toBe(b);
            expect(cycle.at(-1)).toBe(a);
            const beads = beadsOf(journal.read());
            for (let i = 1; i < cycle.length - 1; i++) expect(beads.get(cycle[i]!)!.needs).toContain(cycle[i + 1]);
          }
          expect(findNeedsCycle(beadsOf(journal.read()))).toBeNull();
        }
      }),
      { numRuns: 60 },
    );
  });
});
