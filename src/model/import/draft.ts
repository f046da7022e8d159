import { CitadelError } from '../../common/errors.js';

/**
 * One imported line, mapped to citadel's bead shape but not yet checked against the town:
 * `needs` and `parent` are resolved, and missing timestamps filled, when the import is applied.
 */
export interface ImportDraft {
  /** 1-based line number in the source. */
  readonly line: number;
  readonly format: 'citadel' | 'beads';
  /** The bead's fields in contract order; `created_at`/`updated_at` may be null (filled on apply). */
  readonly bead: Record<string, unknown> & { id: string };
  /** What the mapping did that a person should know (aggregated into the summary). */
  readonly notes: readonly string[];
}

/** A parsed import: every line mapped, nothing applied yet. */
export interface ParsedImport {
  /** The file name (or "stdin"), for messages. */
  readonly source: string;
  readonly drafts: readonly ImportDraft[];
}

/** An error about one line of the source, as `file:line: message`. */
export const lineError = (source: string, line: number, message: string): CitadelError =>
  new CitadelError('invalid', `${source}:${line}: ${message}`, { line });

/** An ISO time normalized to `toISOString()` (so ages compare as text), null when absent. */
export function readTime(value: unknown, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') {
    const plain = plainUtcTime(value);
    if (plain !== null) return plain;
    const time = Date.parse(value);
    if (Number.isFinite(time)) return new Date(time).toISOString();
  }
  throw new Error(`"${field}" is not a time (${JSON.stringify(value)}): use ISO-8601, e.g. 2026-01-31T12:00:00Z`);
}

const PLAIN_UTC = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d{3})?Z$/;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The common case of `readTime` without `Date.parse` + `toISOString` (a third of the parse
 * time of a 100k-issue import): `YYYY-MM-DDTHH:MM:SS[.mmm]Z` naming a real instant is already
 * its own `toISOString()` but for the milliseconds. Anything else (offsets, a day past the
 * month's end that Date.parse rolls over, 24:00) returns null and takes the general path.
 */
function plainUtcTime(text: string): string | null {
  // A line's times are often the same text (created = updated = closed): the last answer is kept.
  if (text === lastPlain.text) return lastPlain.time;
  const time = plainUtcTimeOf(text);
  lastPlain = { text, time };
  return time;
}

let lastPlain: { text: string; time: string | null } = { text: '', time: null };

function plainUtcTimeOf(text: string): string | null {
  const match = PLAIN_UTC.exec(text);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const monthDays = month === 2 && leap ? 29 : DAYS[month - 1];
  if (monthDays === undefined || day < 1 || day > monthDays) return null;
  if (Number(match[4]) > 23 || Number(match[5]) > 59 || Number(match[6]) > 59) return null;
  return match[7] === undefined ? `${text.slice(0, 19)}.000Z` : text;
}

/** A string field, or `fallback` when absent. */
export function readText(value: unknown, field: string, fallback: string | null = null): string | null {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string') return value;
  throw new Error(`"${field}" must be a string (got ${JSON.stringify(value)})`);
}

/** An array of strings, or [] when absent. */
export function readList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  throw new Error(`"${field}" must be a list of strings (got ${JSON.stringify(value)})`);
}
