import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Bead } from '../../../../src/model/bead.js';
import { readyQueue } from '../../../../src/model/ready.js';
import { noFilter } from '../../../../src/tui/state/board-filter.js';
import { groupBoard } from '../../../../src/tui/state/board-groups.js';

/** Random towns: beads with statuses, claims, needs (some missing) and parents (cycles included). */
const town = fc.integer({ min: 1, max: 25 }).chain((n) => {
  const ids = Array.from({ length: n }, (_, i) => `ct-${i}`);
  const ref = fc.constantFrom(...ids, 'ct-missing');
  return fc.tuple(
    ...ids.map((id, i) =>
      fc.record({
        status: fc.constantFrom('open', 'open', 'open', 'in_progress', 'blocked', 'closed'),
        type: fc.constantFrom('task', 'task', 'bug', 'epic'),
        priority: fc.integer({ min: 0, max: 4 }),
        assignee: fc.option(fc.constantFrom('ada', 'nux'), { freq: 4 }),
        needs: fc.uniqueArray(ref, { maxLength: 3 }),
        parent: fc.option(ref, { freq: 2 }),
      }).map(
        (r): Bead => ({
          id,
          type: r.type as 'task' | 'bug' | 'epic',
          title: id,
          body: '',
          status: r.status as Bead['status'],
          priority: r.priority as Bead['priority'],
          labels: [],
          assignee: r.assignee,
          needs: r.needs.filter((x) => x !== id),
          parent: r.parent === id ? null : r.parent,
          created_by: 'overseer',
          created_at: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`,
          updated_at: '2026-01-01T00:00:00Z',
          closed_at: r.status === 'closed' ? '2026-01-02T00:00:00Z' : null,
          close_reason: null,
        }),
      ),
    ),
  );
});

describe('the board’s Ready section', () => {
  it('is exactly `citadel ready`’s queue, in the same order, on any town', () => {
    fc.assert(
      fc.property(town, (beads) => {
        const board = groupBoard(beads, noFilter);
        const ready = board.rows.flatMap((r) => (r.kind === 'bead' && r.group === 'ready' ? [r.bead.id] : []));
        expect(ready).toEqual(readyQueue(new Map(beads.map((b) => [b.id, b]))).map((b) => b.id));
        // Every bead is in exactly one section (closed ones beyond the recent limit aside).
        expect(new Set(board.order).size).toBe(board.order.length);
        expect(board.order.length).toBe(beads.length);
      }),
      { numRuns: 300 },
    );
  });
});
