import { describe, expect, it } from 'vitest';
import { generateBeadId, idLengthFor, isBeadId, stepId } from '../../../src/model/index.js';
import { seededRandom } from './memory-journal.js';

describe('bead ids', () => {
  it('start at 4 characters and grow before collisions get common', () => {
    expect(idLengthFor(0)).toBe(4);
    expect(idLengthFor(16_000)).toBe(4);
    expect(idLengthFor(17_000)).toBe(5);
    expect(idLengthFor(100_000)).toBe(5);
    expect(idLengthFor(1_000_000)).toBe(6);
    // at 100k beads a fresh draw collides with probability < 1%
    expect(100_000 / 36 ** idLengthFor(100_000)).toBeLessThan(0.01);
  });

  it('retries on a collision, then grows the length if the space is full', () => {
    const taken = new Set<string>();
    const random = seededRandom(1);
    for (let i = 0; i < 500; i++) taken.add(generateBeadId('ct', taken.size, (id) => taken.has(id), random));
    expect(taken.size).toBe(500);
    // a random source stuck on one value: after its draws at length 4, the id grows to 5
    const stuck = () => 0.5;
    const first = generateBeadId('ct', 0, () => false, stuck);
    expect(generateBeadId('ct', 0, (id) => id === first, stuck)).toHaveLength(first.length + 1);
  });

  it('stays unique and short in a town growing to 100k beads', () => {
    const taken = new Set<string>();
    const random = seededRandom(100);
    let retries = 0;
    for (let i = 0; i < 100_000; i++) {
      const id = generateBeadId('ct', taken.size, (candidate) => {
        const clash = taken.has(candidate);
        if (clash) retries++;
        return clash;
      }, random);
      taken.add(id);
    }
    expect(taken.size).toBe(100_000);
    const lengths = new Set([...taken].map((id) => id.length - 3));
    expect([...lengths].sort()).toEqual([4, 5]);
    // collisions stay rare: well under 1% of draws had to be drawn again
    expect(retries).toBeLessThan(1000);
  });

  it('accepts citadel and imported ids, and makes molecule step ids', () => {
    for (const id of ['ct-a3f8', 'ct-a3f8.2', 'bd-98c4e1fa.1', 'hq-cv-d46qe']) expect(isBeadId(id)).toBe(true);
    for (const id of ['', '-x', 'a b', 'x/y', 'ct-', "ct-1'", 'external:gastown:gt-5kjn', 'ct-x..y', 'ct-a3f8.lock']) expect(isBeadId(id)).toBe(false);
    expect(stepId('ct-a3f8', 3)).toBe('ct-a3f8.3');
    expect(() => stepId('ct-a3f8', 0)).toThrow(/positive integer/);
  });
});
