import { describe, expect, it } from 'vitest';
import { quietLog } from '../../../src/common/quiet-log.js';

describe('quietLog: an error repeated every tick is written once, then counted', () => {
  it('holds back the same line, says how often it recurred when it changes or recovers, and repeats it after everyMs', () => {
    const lines: string[] = [];
    let clock = 0;
    const log = quietLog((line) => lines.push(line), { everyMs: 60_000, now: () => clock });
    for (let tick = 0; tick < 100; tick++, clock += 1000) log.error('witness: the journal is damaged');
    // 100 s of ticks: written once, then again after a minute with the count of the first minute
    expect(lines).toEqual(['witness: the journal is damaged', 'witness: the journal is damaged (again 59 times)', 'witness: the journal is damaged']);
    log.error('witness: another problem');
    const damaged = 'witness: the journal is damaged';
    expect(lines).toEqual([damaged, `${damaged} (again 59 times)`, damaged, `${damaged} (again 39 times)`, 'witness: another problem']);
    log.ok();
    expect(lines.at(-1)).toBe('witness: recovered');
    lines.length = 0;
    log.ok();
    expect(lines).toEqual([]); // nothing to recover from
    log.error('witness: again');
    expect(lines).toEqual(['witness: again']);
  });
});
