/**
 * Orders of beads. Ties on time happen (a molecule's steps are created in one mutation), so
 * the id breaks them, with step numbers compared as numbers: ct-a3f8.2 before ct-a3f8.10.
 */

/** The id as a text key whose plain order is the natural one (a step suffix zero-padded). */
export function idOrderKey(id: string): string {
  const dot = id.lastIndexOf('.');
  if (dot < 0) return id;
  const suffix = id.slice(dot + 1);
  return /^\d{1,9}$/.test(suffix) ? `${id.slice(0, dot)}.${suffix.padStart(9, '0')}` : id;
}

/** Natural order of ids. */
export function compareIds(a: string, b: string): number {
  const [x, y] = [idOrderKey(a), idOrderKey(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Oldest first, then by id. */
export function compareAge(a: { created_at: string; id: string }, b: { created_at: string; id: string }): number {
  return a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : compareIds(a.id, b.id);
}
