import { CitadelError } from '../common/errors.js';
import { BEAD_STATUSES, BEAD_TYPES, isBeadStatus, isBeadType, type BeadStatus, type BeadType, type Priority } from './bead.js';
import { BEAD_ID_GRAMMAR, isBeadId } from './ids.js';
import { checkLabelCount, checkTextSize, checkTitleLength, LIMITS } from './limits.js';

/**
 * Input checks shared by every entry point (CLI, MCP, daemon, import). Written by hand rather
 * than with a schema library: they run on every CLI call (docs/architecture.md, start-up).
 * Each failure is one line saying what is wrong and what is accepted.
 */

const invalid = (message: string): CitadelError => new CitadelError('invalid', message);

export const MAX_TITLE = LIMITS.title;

/** A title (or a message's subject): one non-empty line, trimmed, within {@link LIMITS}. */
export function checkTitle(title: unknown, what = 'title'): string {
  if (typeof title !== 'string' || title.trim() === '') throw invalid(`the ${what} is empty: give a short line saying what the work is`);
  const trimmed = title.trim();
  if (/[\r\n]/.test(trimmed)) throw invalid(`the ${what} must be one line (put the details in the body)`);
  return checkTitleLength(trimmed, what, what === 'subject' ? LIMITS.subject : LIMITS.title);
}

/** A body (description): any text up to {@link LIMITS.body} bytes. */
export function checkBody(body: unknown, what = 'body'): string {
  if (body === undefined || body === null) return '';
  if (typeof body !== 'string') throw invalid(`the ${what} must be text (got ${JSON.stringify(body)})`);
  return checkTextSize(body, what, LIMITS.body);
}

/** A priority from a number or a string ("0".."4", also "P0".."P4"). */
export function parsePriority(value: unknown): Priority {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim().replace(/^[pP]/, '') : '';
  if (/^[0-4]$/.test(text)) return Number(text) as Priority;
  throw invalid(`priority must be 0 (highest) to 4 (lowest), got ${JSON.stringify(value)}`);
}

/** A bead type among `allowed` (default: every type). */
export function checkType(value: unknown, allowed: readonly BeadType[] = BEAD_TYPES): BeadType {
  if (isBeadType(value) && allowed.includes(value)) return value;
  throw invalid(`unknown bead type ${JSON.stringify(value)}: use one of ${allowed.join(', ')}`);
}

/** One of the four statuses. */
export function checkStatus(value: unknown): BeadStatus {
  if (isBeadStatus(value)) return value;
  throw invalid(`unknown status ${JSON.stringify(value)}: use one of ${BEAD_STATUSES.join(', ')}`);
}

/** A label: 1–64 characters, no spaces or commas (e.g. `ui`, `area:journal`). */
export function checkLabel(value: unknown): string {
  if (typeof value === 'string' && value.length <= LIMITS.label && /^[^\s,]+$/.test(value)) return value;
  const shown = typeof value === 'string' && value.length > 80 ? `${JSON.stringify(value.slice(0, 40))}… (${value.length} characters)` : JSON.stringify(value);
  throw invalid(`bad label ${shown}: a label is 1–${LIMITS.label} characters without spaces or commas`);
}

/** A well-formed bead id (it may not exist): {@link BEAD_ID_GRAMMAR}, the one grammar for every path. */
export function checkId(value: unknown, what = 'bead id'): string {
  if (typeof value === 'string' && isBeadId(value.trim())) return value.trim();
  const shown = typeof value === 'string' && value.length > 120 ? `${JSON.stringify(value.slice(0, 40))}… (${value.length} characters)` : JSON.stringify(value);
  throw invalid(`${shown} is not a ${what}: ${BEAD_ID_GRAMMAR}`);
}

/**
 * An actor's name as an assignee: a polecat's name, `overseer`, `refinery`, or an imported
 * name such as `beads/polecats/obsidian`.
 */
export function checkActor(value: unknown, what = 'assignee'): string {
  if (typeof value === 'string' && /^[A-Za-z0-9][A-Za-z0-9._@/-]{0,63}$/.test(value.trim())) return value.trim();
  throw invalid(`bad ${what} ${JSON.stringify(value)}: a name of letters, digits, '.', '_', '-', '/' (at most 64)`);
}

/** Labels without duplicates, in first-seen order; at most {@link LIMITS.labels} of them. */
export function uniqueLabels(labels: readonly unknown[]): string[] {
  const unique = [...new Set(labels.map((label) => checkLabel(label)))];
  checkLabelCount(unique);
  return unique;
}
