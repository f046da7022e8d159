import { createHash } from 'node:crypto';

/**
 * What the merge compares a field's value by: "-" for an absent field, the JSON itself (after
 * "=") when it is short — most values: statuses, priorities, names, times — else "#" and 96
 * bits of its SHA-1. One pass over a bead's fields costs microseconds, not a hash object each.
 */
export function valueHash(value: unknown): string {
  if (value === undefined) return '-';
  const json = JSON.stringify(value);
  if (json.length <= 32) return `=${json}`;
  return `#${createHash('sha1').update(json).digest('base64url').slice(0, 16)}`;
}

/** Fields a concurrent edit of which is merged without a report (bookkeeping, not content). */
export const UNREPORTED_FIELDS: ReadonlySet<string> = new Set(['updated_at']);

/** Fields merged as sets (union): readers never un-read a message. */
export const SET_FIELDS: ReadonlySet<string> = new Set(['read_by']);
