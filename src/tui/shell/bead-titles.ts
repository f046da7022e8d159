import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const beadId = /^[a-z][a-z0-9]*-[a-z0-9]+(?:\.[0-9]+)*$/;

/**
 * Reads a bead's title from its projection (`.citadel/beads/<id>.json`), for the pane title bars.
 * Ids are checked before they become a path; a missing or unreadable file is simply no title.
 */
export function readBeadTitle(projections: string, id: string): string | undefined {
  if (!beadId.test(id)) return undefined;
  try {
    const bead = JSON.parse(readFileSync(join(projections, 'beads', `${id}.json`), 'utf8')) as { title?: unknown };
    return typeof bead.title === 'string' ? bead.title : undefined;
  } catch {
    return undefined;
  }
}
