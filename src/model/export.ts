import type { Bead } from './bead.js';
import { compareAge } from './order.js';

/** Beads as JSON Lines (one bead a line, oldest first): the format `bead import` reads back. */
export function exportLines(beads: Iterable<Bead>): string {
  const list = [...beads].sort(compareAge);
  return list.map((bead) => `${JSON.stringify(bead)}\n`).join('');
}
