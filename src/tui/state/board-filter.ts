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

/**
 * What the filter reads of a bead, lowercased once: its type, assignee, labels, and `id title`
 * (the text words' haystack). Remembered per bead object (the snapshots hand the same objects
 * until a bead changes), so applying a filter to 8k beads lowercases nothing twice.
 */
export interface FilterKey {
  readonly type: string;
  readonly assignee: string;
  readonly labels: readonly string[];
  readonly text: string;
}

const keys = new WeakMap<BeadView, FilterKey>();

export function filterKey(bead: BeadView): FilterKey {
  let key = keys.get(bead);
  if (!key) {
    key = { type: bead.type.toLowerCase(), assignee: (bead.assignee ?? '').toLowerCase(), labels: (bead.labels ?? []).map((l) => l.toLowerCase()), text: `${bead.id} ${bead.title}`.toLowerCase() };
    keys.set(bead, key);
  }
  return key;
}

/** Whether a bead's {@link filterKey} passes the filter. */
export function keyMatches(key: FilterKey, filter: BoardFilter): boolean {
  if (filter.types.length && !filter.types.includes(key.type)) return false;
  if (filter.assignees.length && !filter.assignees.includes(key.assignee)) return false;
  if (filter.labels.length && !filter.labels.every((l) => key.labels.includes(l))) return false;
  if (filter.text.length && !filter.text.every((w) => key.text.includes(w))) return false;
  return true;
}

/** Whether a bead passes the filter. */
export function matchesFilter(bead: BeadView, filter: BoardFilter): boolean {
  return isEmptyFilter(filter) || keyMatches(filterKey(bead), filter);
}
