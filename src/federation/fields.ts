import { createHash } from 'node:crypto';

/** The hash of a field's value as the merge compares it; "-" for an absent field. */
export function valueHash(value: unknown): string {
  if (value === undefined) return '-';
  return createHash('sha1').update(JSON.stringify(value)).digest('base64url').slice(0, 16);
}

/** Fields a concurrent edit of which is merged without a report (bookkeeping, not content). */
export const UNREPORTED_FIELDS: ReadonlySet<string> = new Set(['updated_at']);

/** Fields merged as sets (union): readers never un-read a message. */
export const SET_FIELDS: ReadonlySet<string> = new Set(['read_by']);
