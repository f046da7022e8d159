import type { Bead } from './bead.js';

/** Beads as JSON Lines (one bead a line, oldest first): the format `bead import` reads back. */
export function exportLines(beads: Iterable<Bead>): string {
  const list = [...beads].sort((a, b) =>
    a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
  return list.map((bead) => `${JSON.stringify(bead)}\n`).join('');
}
