import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readTime } from '../../../src/model/import/draft.js';

/** What `bead import` did before its fast path: Date.parse, then toISOString (or an error). */
function general(text: string): string | Error {
  const time = Date.parse(text);
  return Number.isFinite(time) ? new Date(time).toISOString() : new Error('not a time');
}

function read(text: string): string | Error {
  try {
    return readTime(text, 'created_at')!;
  } catch (error) {
    return error as Error;
  }
}

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

describe('bead import: times', () => {
  it('normalizes a plain UTC time exactly as Date.parse + toISOString, also out of range (day 30 of February, 24:00, second 60)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.integer({ min: 0, max: 61 }),
        fc.option(fc.integer({ min: 0, max: 999 })),
        (year, month, day, hour, minute, second, millis) => {
          const text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${millis === null ? '' : `.${pad(millis, 3)}`}Z`;
          const expected = general(text);
          const got = read(text);
          if (expected instanceof Error) expect(got, text).toBeInstanceOf(Error);
          else expect(got, text).toBe(expected);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('still reads other ISO shapes through Date.parse (offsets, a date alone), and refuses what is no time', () => {
    for (const text of ['2026-01-31T12:00:00+02:00', '2026-01-31', '2026-01-31T12:00Z', '2024-02-29T23:59:59.5Z', '2025-02-29T00:00:00Z']) expect(read(text)).toBe(general(text));
    for (const text of ['yesterday', '2026-13-01T00:00:00Z', '2026-01-01T00:00:60Z']) expect(read(text)).toBeInstanceOf(Error);
    expect(readTime(null, 'created_at')).toBeNull();
    expect(readTime('', 'created_at')).toBeNull();
  });

  it('answers a time read twice in a row (a line’s created, updated and closed) as the first time, and the next one anew', () => {
    const texts = ['2026-01-31T12:00:00Z', '2026-01-31T12:00:00Z', '2026-02-30T00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-31T12:00:00.250Z', '2026-01-31T12:00:00Z', 'yesterday', 'yesterday'];
    for (const text of texts) {
      const expected = general(text);
      if (expected instanceof Error) expect(read(text), text).toBeInstanceOf(Error);
      else expect(read(text), text).toBe(expected);
    }
  });
});
