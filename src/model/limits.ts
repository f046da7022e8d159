import { CitadelError } from '../common/errors.js';
import type { Bead } from './bead.js';

/**
 * How big a bead's fields may be (docs/model.md, "Limits"). A bead lives whole in the journal,
 * in every snapshot and in memory of every process that reads the town, so its size is bounded
 * at the one place every write goes through (`BeadTransaction.put`): the CLI, the MCP server,
 * the daemon, molecules and `bead import` all get the same limits and the same one-line error.
 *
 * Titles count characters (what a person sees); the rest counts UTF-8 bytes (what is stored).
 * The real Beads export in test/fixtures (704 issues: longest description 7.5 kB, notes 4.2 kB,
 * title 128 characters, 7 labels) fits with room to spare.
 */
export const LIMITS = {
  /** A bead's title, in characters. */
  title: 500,
  /** A message's subject (its title too), in characters: room for "rework: " or "Re: " before a title at its limit. */
  subject: 1000,
  /** The body (description), in bytes. */
  body: 64 * 2 ** 10,
  /** Labels per bead. */
  labels: 100,
  /** One label, in characters. */
  label: 64,
  /** A close reason or a merge request's bounce reason, in bytes. */
  reason: 8 * 2 ** 10,
  /** Any other text on a bead (a step's acceptance, imported notes/design in metadata), in bytes. */
  text: 64 * 2 ** 10,
  /** The whole bead as JSON, in bytes. */
  bead: 2 ** 20,
} as const;

const LARGE = '(put large content in a file in the repository)';

/** Bytes as a person reads them: "30.0 MB", "64 KiB", "812 bytes". */
export function formatSize(bytes: number): string {
  if (bytes >= 2 ** 20 && bytes % 2 ** 20 === 0) return `${bytes / 2 ** 20} MiB`;
  if (bytes >= 2 ** 10 && bytes % 2 ** 10 === 0) return `${bytes / 2 ** 10} KiB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} bytes`;
}

/** UTF-8 length of `text` without Node's Buffer (the domain layer compiles without Node types). */
export const utf8Length = (text: string): number => {
  let total = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) total += 1;
    else if (unit < 0x800) total += 2;
    else if (unit >= 0xd800 && unit < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      total += 4; // a surrogate pair: one 4-byte code point
      i++;
    } else total += 3; // the rest of the BMP, and a lone surrogate (encoded as U+FFFD, 3 bytes)
  }
  return total;
};
const tooBig = (message: string): CitadelError => new CitadelError('invalid', message);

/** Throws unless `text` (the field `what`) fits in `limit` UTF-8 bytes. */
export function checkTextSize(text: string, what: string, limit: number = LIMITS.text): string {
  // A string of more than `limit` UTF-16 units may still fit (never: a unit is ≥ 1 byte), and
  // one under limit / 3 units always fits: only the middle needs counting.
  if (text.length > limit / 3) {
    const size = utf8Length(text);
    if (size > limit) throw tooBig(`the ${what} is ${formatSize(size)}; the limit is ${formatSize(limit)} ${LARGE}`);
  }
  return text;
}

/** Throws unless `title` (one line, trimmed) is at most `limit` characters. */
export function checkTitleLength(title: string, what = 'title', limit: number = LIMITS.title): string {
  // A string has no more characters than UTF-16 units: only a long one needs counting.
  if (title.length <= limit) return title;
  const length = [...title].length;
  if (length > limit) throw tooBig(`the ${what} is ${length} characters; the limit is ${limit} (put the details in the body)`);
  return title;
}

/** Throws unless there are at most {@link LIMITS.labels} labels. */
export function checkLabelCount(labels: readonly unknown[]): void {
  if (labels.length > LIMITS.labels) throw tooBig(`the bead has ${labels.length} labels; the limit is ${LIMITS.labels}`);
}

/** Fields checked on their own (with their own limit) before the generic walk. */
const OWN_LIMITS = new Set(['title', 'subject', 'body', 'labels', 'close_reason', 'reason']);

/**
 * Throws unless every field of `bead` is within {@link LIMITS}. Only what changed from
 * `previous` (the stored copy) is checked, so a bead written before a limit existed can still be
 * claimed, closed or released — just not made bigger.
 */
export function checkBeadLimits(bead: Bead, previous?: Bead): void {
  const changed = (key: string): boolean => !previous || (previous as Record<string, unknown>)[key] !== (bead as Record<string, unknown>)[key];
  const titleLimit = bead.type === 'message' ? LIMITS.subject : LIMITS.title;
  if (changed('title')) checkTitleLength(bead.title, bead.type === 'message' ? 'subject' : 'title', titleLimit);
  if (bead.subject !== undefined && changed('subject')) checkTitleLength(bead.subject, 'subject', LIMITS.subject);
  if (changed('body')) checkTextSize(bead.body, 'body', LIMITS.body);
  if (changed('labels')) {
    checkLabelCount(bead.labels);
    for (const label of bead.labels) {
      if (label.length > LIMITS.label) throw tooBig(`the label ${JSON.stringify(label.slice(0, 40))}… is ${label.length} characters; the limit is ${LIMITS.label}`);
    }
  }
  if (bead.close_reason && changed('close_reason')) checkTextSize(bead.close_reason, 'close reason', LIMITS.reason);
  if (bead.reason && changed('reason')) checkTextSize(bead.reason, 'reason', LIMITS.reason);
  // One walk checks the other fields' strings and bounds the bead's JSON length in UTF-16
  // units (each unit at most 6 as an escape); only a bead that may pass the limit is printed and
  // counted (bead import checks 100k beads: printing each took ~40% of this check).
  let bound = 2;
  for (const key in bead) {
    const value = (bead as Record<string, unknown>)[key];
    bound += key.length * 6 + 4 + (OWN_LIMITS.has(key) || !changed(key) ? jsonBound(value) : checkNested(value, key));
  }
  if (bound * 3 > LIMITS.bead && (!previous || Object.keys(bead).some(changed))) {
    const json = JSON.stringify(bead);
    const size = json.length * 3 <= LIMITS.bead ? json.length : utf8Length(json);
    if (size > LIMITS.bead && (!previous || size > utf8Length(JSON.stringify(previous)))) {
      throw tooBig(`the bead ${bead.id} is ${formatSize(size)} as JSON; the limit is ${formatSize(LIMITS.bead)} ${LARGE}`);
    }
  }
}

/** An upper bound of `value`'s JSON length in UTF-16 units. */
function jsonBound(value: unknown): number {
  if (typeof value === 'string') return value.length * 6 + 2;
  if (value === null || typeof value !== 'object') return 24;
  let bound = 2;
  if (Array.isArray(value)) for (const item of value) bound += jsonBound(item) + 1;
  else for (const key in value as Record<string, unknown>) bound += key.length * 6 + 4 + jsonBound((value as Record<string, unknown>)[key]);
  return bound;
}

/**
 * Every string inside `value` (metadata, a step's acceptance…) within {@link LIMITS.text}, named
 * by its path; returns {@link jsonBound} of `value`.
 */
function checkNested(value: unknown, path: string): number {
  if (typeof value === 'string') {
    checkTextSize(value, `field ${path}`, LIMITS.text);
    return value.length * 6 + 2;
  }
  if (value === null || typeof value !== 'object') return 24;
  let bound = 2;
  if (Array.isArray(value)) value.forEach((item, index) => (bound += checkNested(item, `${path}[${index}]`) + 1));
  else for (const key in value as Record<string, unknown>) bound += key.length * 6 + 4 + checkNested((value as Record<string, unknown>)[key], `${path}.${key}`);
  return bound;
}
