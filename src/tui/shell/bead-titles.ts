import type { Journal } from '../../journal/index.js';

const beadId = /^[a-z][a-z0-9]*-[a-z0-9]+(?:\.[0-9]+)*$/;

/**
 * A bead's title for the pane title bars, read through the journal (one row of the query index,
 * or the state in memory): bead projection files are not the place to read (issue 18: they are
 * not written for every entity). Ids are checked first; a missing bead or a journal that cannot
 * be read (damaged: the panels say so) is simply no title.
 */
export function readBeadTitle(journal: Pick<Journal, 'read'>, id: string): string | undefined {
  if (!beadId.test(id)) return undefined;
  try {
    const title = journal.read().get('beads', id)?.title;
    return typeof title === 'string' ? title : undefined;
  } catch {
    return undefined;
  }
}
