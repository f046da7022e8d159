import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal } from '../../../src/journal/index.js';
import { beadProvenance, drawnElsewhere, foreignTags, provenanceOf, provenanceWords } from '../../../src/federation/provenance.js';
import { stateOf } from '../../helpers/agent-state.js';
import { makeTwoTowns, type TwoTowns } from './towns.js';

/** What came from where (issue 19): a bead's origin from its fed-meta tags, and the board's id-tag marker. */

const A = 'k3x9ab12cd34';
const B = 'zq7ee0f1g2h3';
const clock = (ms: number, l = 0): string => `${String(ms).padStart(16, '0')}.${String(l).padStart(6, '0')}`;
const tag = (ms: number, town: string): readonly [string, string] => ['h', `${clock(ms)}@${town}`];
const self = (town: string) => ({ id: 'self', town, tag: town.slice(0, 3) });

describe('bead provenance (pure)', () => {
  it('names the town that created a bead and the town of its last change, with when', () => {
    const meta = { id: 'ct-k3xa1', f: { id: tag(1000, A), title: tag(1000, A), status: tag(5000, B), assignee: tag(3000, A) } };
    expect(beadProvenance(meta, self(A))).toEqual({ origin: A, originHere: true, last: B, lastHere: false, lastAt: 5000 });
    const there = beadProvenance(meta, self(B))!;
    expect(there).toEqual({ origin: A, originHere: false, last: B, lastHere: true, lastAt: 5000 });
    expect(provenanceWords(there, 125_000)).toBe(`from town ${A} · last change here, 2m ago`);
    expect(provenanceWords(beadProvenance(meta, self(A))!, 5000 + 3 * 3_600_000)).toBe(`made here · last change in town ${B}, 3h ago`);
    // Made and last changed in the same other town.
    expect(provenanceWords(beadProvenance({ id: 'x', f: { id: tag(1, A), title: tag(9, A) } }, self(B))!, 9 + 42_000)).toBe(`from town ${A} · last change there, 42s ago`);
  });

  it('tells nothing of a bead only this town wrote, before any sync, or from a damaged meta entity', () => {
    expect(beadProvenance({ id: 'x', f: { id: tag(1, A), title: tag(2, A) } }, self(A))).toBeUndefined();
    expect(beadProvenance(undefined, self(A))).toBeUndefined();
    expect(beadProvenance({ id: 'x', f: { id: tag(1, B) } }, undefined)).toBeUndefined();
    // Hostile tags are skipped, never thrown on: only the readable one counts.
    const odd = { id: 'x', f: { id: ['h', 'nonsense'], title: 'x', body: ['h', `${clock(7)}@../../etc`], status: tag(4, B), labels: null } };
    expect(beadProvenance(odd as never, self(A))).toEqual({ origin: B, originHere: false, last: B, lastHere: false, lastAt: 4 });
    expect(beadProvenance({ id: 'x', f: 'junk' } as never, self(A))).toBeUndefined();
  });

  it('marks ids drawn with another town’s tag, from the towns pulled from (no read per bead)', () => {
    const state = stateOf({ fed: [{ ...self(A) }, { id: `from-${B}`, town: B }, { id: 'from-bogus', town: '../x' }] });
    const tags = foreignTags(state);
    expect([...tags]).toEqual(['zq7']);
    expect(drawnElsewhere('ct-zq7a3f8', tags)).toBe(true);
    expect(drawnElsewhere('ct-zq7a3f8.2', tags)).toBe(true);
    expect(drawnElsewhere('my-proj-zq7a3f8', tags)).toBe(true);
    expect(drawnElsewhere('ct-k3xa3f8', tags)).toBe(false);
    expect(drawnElsewhere('ct-a3f8', tags)).toBe(false);
    expect(drawnElsewhere('ct-zq7', tags)).toBe(false);
    expect(drawnElsewhere('ct-zq7a3f8', new Set())).toBe(false);
  });
});

describe('bead provenance through a real sync', () => {
  let towns: TwoTowns | undefined;
  afterEach(() => {
    towns?.dispose();
    towns = undefined;
  });

  it('a bead made in town A and changed in B reads, in A, as made here and last changed in B; B’s board marks A’s ids', async () => {
    const t = (towns = await makeTwoTowns());
    await t.syncAll(); // both towns get their ids and tags
    const id = (await t.ok(t.a, ['bead', 'create', 'made in A'])).trim();
    const local = (await t.ok(t.b, ['bead', 'create', 'made in B'])).trim();
    await t.syncAll();
    await t.ok(t.b, ['bead', 'update', id, '--priority', '1']);
    await t.syncAll();
    const townId = (town: string): string => (JSON.parse(readFileSync(join(town, '.citadel', 'federation', 'town.json'), 'utf8')) as { id: string }).id;
    const [idA, idB] = [townId(t.a), townId(t.b)];
    const read = (town: string) => {
      const journal = openJournal(join(town, '.citadel', 'journal'), { writer: 'test' });
      try {
        const state = journal.read();
        return { made: provenanceOf(state, id), other: provenanceOf(state, local), tags: foreignTags(state) };
      } finally {
        journal.close();
      }
    };
    const inA = read(t.a);
    expect(inA.made).toMatchObject({ origin: idA, originHere: true, last: idB, lastHere: false });
    expect(inA.other).toMatchObject({ origin: idB, originHere: false });
    const inB = read(t.b);
    expect(inB.made).toMatchObject({ origin: idA, originHere: false, last: idB, lastHere: true });
    expect(inB.other).toBeUndefined(); // made and changed only in B: nothing to tell in B
    expect(Math.abs(inB.made!.lastAt! - Date.now())).toBeLessThan(120_000);
    expect([...inB.tags]).toEqual([idA.slice(0, 3)]);
    expect(drawnElsewhere(id, inB.tags)).toBe(true);
    expect(drawnElsewhere(local, inB.tags)).toBe(false);
  }, 120_000);
});
