import { describe, expect, it } from 'vitest';
import { formatClock, parseClock, receive, tagOf, tick, ZERO_CLOCK, ZERO_TAG, type Hlc } from '../../../src/federation/clock.js';
import { checkRemoteName, isTownId, newTownId } from '../../../src/federation/ids.js';
import { valueHash } from '../../../src/federation/fields.js';

describe('the hybrid logical clock', () => {
  it('orders a write after everything its town has seen, whatever the wall clocks say', () => {
    // Town A's wall clock is an hour ahead of B's.
    const hour = 3_600_000;
    let a: Hlc = ZERO_CLOCK;
    let b: Hlc = ZERO_CLOCK;
    a = tick(a, 1_000_000 + hour);
    b = receive(b, a, 1_000_000); // B sees A's write
    b = tick(b, 1_000_001); // and writes after it, with a wall clock an hour behind
    expect(formatClock(b) > formatClock(a)).toBe(true);
    expect(tagOf(b, 'bbbbbbbbbbbb') > tagOf(a, 'aaaaaaaaaaaa')).toBe(true);
    // Ticks within one millisecond (or a clock going backwards) still increase.
    const c1 = tick(b, 5);
    const c2 = tick(c1, 5);
    expect(formatClock(c2) > formatClock(c1)).toBe(true);
    expect(formatClock(c1) > formatClock(b)).toBe(true);
    // Equal clocks: the town id decides, the same everywhere.
    expect(tagOf(a, 'bbbbbbbbbbbb') > tagOf(a, 'aaaaaaaaaaaa')).toBe(true);
    expect(tagOf(ZERO_CLOCK, 'aaaaaaaaaaaa') > ZERO_TAG).toBe(true);
    expect(parseClock(formatClock(c2))).toEqual(c2);
    expect(parseClock('12')).toBeUndefined();
  });

  it('names: town ids, remote names, value hashes', () => {
    expect(isTownId(newTownId())).toBe(true);
    expect(newTownId()).not.toBe(newTownId());
    for (const bad of ['-x', '--upload-pack=x', 'a..b', 'x.lock', 'a b', '', 'a/b']) expect(() => checkRemoteName(bad)).toThrow(/bad remote name/);
    expect(checkRemoteName('origin')).toBe('origin');
    expect(valueHash(undefined)).toBe('-');
    expect(valueHash('open')).toBe('="open"');
    expect(valueHash('x'.repeat(100))).toMatch(/^#[\w-]{16}$/);
    expect(valueHash('x'.repeat(100))).not.toBe(valueHash('x'.repeat(101)));
  });
});
