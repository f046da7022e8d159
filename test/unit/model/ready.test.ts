import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readyQueue, whyNotReady, type Bead } from '../../../src/model/index.js';
import { bead, byId } from './fixtures.js';

const ids = (beads: Bead[]): string[] => beads.map((b) => b.id);

describe('the ready queue on hand-made graphs', () => {
  it('lists open, unclaimed beads with every need closed, by priority then age', () => {
    const beads = byId(
      bead('a', { priority: 2, created_at: '2026-01-01T00:00:03Z' }),
      bead('b', { priority: 1, created_at: '2026-01-01T00:00:05Z' }),
      bead('c', { priority: 2, created_at: '2026-01-01T00:00:01Z' }),
      bead('d', { status: 'closed' }),
      bead('e', { assignee: 'nux', status: 'in_progress' }),
      bead('f', { needs: ['d'] }), // its need is closed: ready
      bead('g', { needs: ['a'], priority: 0 }), // a is open: not ready
      bead('h', { status: 'blocked' }),
      bead('i', { assignee: 'nux' }), // open but claimed
    );
    expect(ids(readyQueue(beads))).toEqual(['b', 'c', 'a', 'f']);
    expect(ids(readyQueue(beads, { limit: 2 }))).toEqual(['b', 'c']);
  });

  it('becomes ready when its last blocker closes', () => {
    const beads = byId(bead('x'), bead('y'), bead('z', { needs: ['x', 'y'] }));
    expect(ids(readyQueue(beads))).not.toContain('z');
    beads.set('x', { ...beads.get('x')!, status: 'closed' });
    expect(ids(readyQueue(beads))).not.toContain('z');
    beads.set('y', { ...beads.get('y')!, status: 'closed' });
    expect(ids(readyQueue(beads))).toContain('z');
  });

  it('treats a need on a missing bead as open', () => {
    expect(ids(readyQueue(byId(bead('a', { needs: ['ghost'] }))))).toEqual([]);
  });

  it('hides the children of a blocked parent, at any depth', () => {
    const beads = byId(
      bead('blocker'),
      bead('epic', { type: 'epic', needs: ['blocker'] }),
      bead('mid', { type: 'epic', parent: 'epic' }),
      bead('leaf', { parent: 'mid' }),
      bead('other-epic', { type: 'epic', status: 'blocked' }),
      bead('other-leaf', { parent: 'other-epic' }),
      bead('free-epic', { type: 'epic' }),
      bead('free-leaf', { parent: 'free-epic' }),
    );
    expect(ids(readyQueue(beads))).toEqual(['blocker', 'free-leaf']);
    expect(whyNotReady(beads.get('leaf')!, beads)).toBe('its parent epic is blocked');
    expect(whyNotReady(beads.get('other-leaf')!, beads)).toBe('its parent other-epic is blocked');
  });

  it('leaves out mail, merge requests and epics with children, but keeps a childless epic', () => {
    const beads = byId(
      bead('m', { type: 'message' }),
      bead('mr', { type: 'merge_request' }),
      bead('epic', { type: 'epic' }),
      bead('step', { type: 'step', parent: 'epic' }),
      bead('lonely', { type: 'epic' }),
    );
    expect(ids(readyQueue(beads)).sort()).toEqual(['lonely', 'step']);
    expect(whyNotReady(beads.get('epic')!, beads)).toBe('an epic is finished by its children');
  });

  it('explains why a bead is not ready', () => {
    const beads = byId(bead('a'), bead('b', { needs: ['a'] }), bead('c', { assignee: 'nux' }), bead('d', { status: 'closed' }));
    expect(whyNotReady(beads.get('a')!, beads)).toBeNull();
    expect(whyNotReady(beads.get('b')!, beads)).toBe('it needs a closed first');
    expect(whyNotReady(beads.get('c')!, beads)).toBe('it is claimed by nux');
    expect(whyNotReady(beads.get('d')!, beads)).toBe('it is closed');
  });

  it('survives a parent loop in stored data without hanging', () => {
    const beads = byId(bead('a', { parent: 'b' }), bead('b', { parent: 'a' }));
    expect(ids(readyQueue(beads)).sort()).toEqual(['a', 'b']);
  });
});

/** Random towns: up to 30 beads with random statuses, claims, needs and parents. */
const townArbitrary = fc
  .array(
    fc.record({
      status: fc.constantFrom('open', 'open', 'open', 'in_progress', 'blocked', 'closed' as const),
      claimed: fc.boolean(),
      priority: fc.integer({ min: 0, max: 4 }),
      needs: fc.array(fc.nat(29), { maxLength: 3 }),
      parent: fc.option(fc.nat(29), { nil: null }),
      age: fc.nat(1000),
    }),
    { minLength: 1, maxLength: 30 },
  )
  .map((rows) =>
    byId(
      ...rows.map((row, i) =>
        bead(`b${i}`, {
          status: row.status as Bead['status'],
          assignee: row.claimed ? 'nux' : null,
          priority: row.priority as Bead['priority'],
          // only earlier beads, so the generated graph is acyclic like a real town
          needs: [...new Set(row.needs.filter((n) => n < i).map((n) => `b${n}`))],
          parent: row.parent !== null && row.parent < i ? `b${row.parent}` : null,
          created_at: new Date(Date.parse('2026-01-01T00:00:00Z') + row.age * 1000).toISOString(),
        }),
      ),
    ),
  );

describe('the ready queue, property tests', () => {
  it('never lists a bead while one of its blockers is open', () => {
    fc.assert(
      fc.property(townArbitrary, (beads) => {
        for (const ready of readyQueue(beads)) {
          for (const need of ready.needs) expect(beads.get(need)!.status).toBe('closed');
          expect(ready.status).toBe('open');
          expect(ready.assignee).toBeNull();
        }
      }),
    );
  });

  it('never lists a bead under a blocked ancestor', () => {
    fc.assert(
      fc.property(townArbitrary, (beads) => {
        for (const ready of readyQueue(beads)) {
          for (let at = ready.parent; at !== null; at = beads.get(at)!.parent) {
            const ancestor = beads.get(at)!;
            expect(ancestor.status).not.toBe('blocked');
            for (const need of ancestor.needs) expect(beads.get(need)!.status).toBe('closed');
          }
        }
      }),
    );
  });

  it('is sorted by priority then age, agrees with whyNotReady, and lists every eligible bead', () => {
    fc.assert(
      fc.property(townArbitrary, (beads) => {
        const queue = readyQueue(beads);
        for (let i = 1; i < queue.length; i++) {
          const [a, b] = [queue[i - 1]!, queue[i]!];
          expect(a.priority < b.priority || (a.priority === b.priority && a.created_at <= b.created_at)).toBe(true);
        }
        const listed = new Set(ids(queue));
        for (const one of beads.values()) expect(listed.has(one.id)).toBe(whyNotReady(one, beads) === null);
      }),
    );
  });
});

describe('ties', () => {
  it('orders molecule steps created in the same instant by step number', () => {
    const at = '2026-01-01T00:00:00.000Z';
    const steps = [10, 2, 1, 11, 3].map((n) => bead(`ct-a3f8.${n}`, { type: 'step', created_at: at }));
    expect(readyQueue(byId(...steps)).map((b) => b.id)).toEqual(['ct-a3f8.1', 'ct-a3f8.2', 'ct-a3f8.3', 'ct-a3f8.10', 'ct-a3f8.11']);
  });
});
