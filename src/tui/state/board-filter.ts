import type { BeadView } from './types.js';

/**
 * The board's filter, parsed from one line the person types after `/`:
 * `label:ui type:bug login` keeps beads labelled "ui", of type "bug", whose id or title
 * contains "login". `#ui` is short for `label:ui`, `@ada` for `assignee:ada`. Words are ANDed.
 */
export interface BoardFilter {
  readonly text: readonly string[];
  readonly labels: readonly string[];
  readonly types: readonly string[];
  readonly assignees: readonly string[];
}

export const noFilter: BoardFilter = { text: [], labels: [], types: [], assignees: [] };

/** Parses a filter line; unknown `key:` prefixes are treated as text. */
export function parseFilter(line: string): BoardFilter {
  const text: string[] = [];
  const labels: string[] = [];
  const types: string[] = [];
  const assignees: string[] = [];
  for (const word of line.trim().toLowerCase().split(/\s+/)) {
    if (!word) continue;
    if (word.startsWith('label:') && word.length > 6) labels.push(word.slice(6));
    else if (word.startsWith('#') && word.length > 1) labels.push(word.slice(1));
    else if (word.startsWith('type:') && word.length > 5) types.push(word.slice(5));
    else if (word.startsWith('assignee:') && word.length > 9) assignees.push(word.slice(9));
    else if (word.startsWith('@') && word.length > 1) assignees.push(word.slice(1));
    else text.push(word);
  }
  return { text, labels, types, assignees };
}

export function isEmptyFilter(filter: BoardFilter): boolean {
  return !filter.text.length && !filter.labels.length && !filter.types.length && !filter.assignees.length;
}

/** Whether a bead passes the filter. */
export function matchesFilter(bead: BeadView, filter: BoardFilter): boolean {
  if (filter.types.length && !filter.types.includes(bead.type.toLowerCase())) return false;
  if (filter.assignees.length && !filter.assignees.includes((bead.assignee ?? '').toLowerCase())) return false;
  if (filter.labels.length) {
    const labels = (bead.labels ?? []).map((l) => l.toLowerCase());
    if (!filter.labels.every((l) => labels.includes(l))) return false;
  }
  if (filter.text.length) {
    const haystack = `${bead.id} ${bead.title}`.toLowerCase();
    if (!filter.text.every((w) => haystack.includes(w))) return false;
  }
  return true;
}
