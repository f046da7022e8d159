import type { Entity, StateView } from '../journal/types.js';
import { FED_KIND, META_KIND, SELF_ID } from './entities.js';
import { parseClock } from './clock.js';
import { isTownId, townTag } from './ids.js';

/**
 * What came from where (docs/federation.md): a federated bead's origin, read from its
 * `fed-meta` entity (field → [hash, "clock@town"]) against `fed/self` (this town's id). Pure:
 * the callers read the one bead's meta entity, never every bead's.
 */
export interface Provenance {
  /** The town that created the bead: the tag of its `id` field (set once, by the create). */
  readonly origin: string;
  readonly originHere: boolean;
  /** The town of the newest write to any of its fields. */
  readonly last: string;
  readonly lastHere: boolean;
  /** When that write was made (its clock's physical part, ms since the epoch); undefined if unreadable. */
  readonly lastAt: number | undefined;
}

/** A tag `clock@town` split, or undefined when it is not one (a meta entity is read as hostile). */
function parseTag(tag: unknown): { clock: string; town: string; at: number } | undefined {
  if (typeof tag !== 'string') return undefined;
  const at = tag.lastIndexOf('@');
  if (at < 0) return undefined;
  const clock = tag.slice(0, at);
  const town = tag.slice(at + 1);
  const parsed = parseClock(clock);
  if (!parsed || !isTownId(town)) return undefined;
  return { clock, town, at: parsed.p };
}

/**
 * The bead's provenance, or undefined when there is nothing to tell: no sync yet (no `fed/self`),
 * no meta entity, or every write to it made in this town (a local bead that was only exported).
 */
export function beadProvenance(meta: Entity | undefined, self: Entity | undefined): Provenance | undefined {
  const here = (self as { town?: unknown } | undefined)?.town;
  const fields = (meta as { f?: unknown } | undefined)?.f;
  if (!isTownId(here) || !fields || typeof fields !== 'object') return undefined;
  const tags = new Map<string, { clock: string; town: string; at: number }>();
  for (const [field, pair] of Object.entries(fields as Record<string, unknown>)) {
    const tag = Array.isArray(pair) ? parseTag(pair[1]) : undefined;
    if (tag) tags.set(field, tag);
  }
  if (![...tags.values()].some((t) => t.town !== here)) return undefined;
  const all = [...tags.values()];
  // The tag strings sort as the merge orders writes (fixed-width clock, then town).
  const order = (a: { clock: string; town: string }, b: { clock: string; town: string }): number => (a.clock === b.clock ? a.town.localeCompare(b.town) : a.clock < b.clock ? -1 : 1);
  const created = tags.get('id') ?? tags.get('created_at') ?? all.reduce((a, b) => (order(a, b) <= 0 ? a : b));
  const last = all.reduce((a, b) => (order(a, b) >= 0 ? a : b));
  return { origin: created.town, originHere: created.town === here, last: last.town, lastHere: last.town === here, lastAt: last.at };
}

/** The provenance of bead `id` in `state`: two entity reads (`fed-meta/<id>`, `fed/self`). */
export function provenanceOf(state: StateView, id: string): Provenance | undefined {
  return beadProvenance(state.get(META_KIND, id), state.get(FED_KIND, SELF_ID));
}

/** "42s", "3m", "2h", "3d" ago. */
function ago(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** One line for a bead's details: `from town k3x9ab12cd34 · last change here, 2m ago`. */
export function provenanceWords(p: Provenance, now: number): string {
  const from = p.originHere ? 'made here' : `from town ${p.origin}`;
  const where = p.lastHere ? 'here' : p.last === p.origin ? 'there' : `in town ${p.last}`;
  const when = p.lastAt === undefined ? '' : `, ${ago(now - p.lastAt)} ago`;
  return `${from} · last change ${where}${when}`;
}

/**
 * The id tags (docs/federation.md: the first characters of a fresh id's random part) of the
 * other towns this one has pulled from — `fed/from-<town>` cursors — without this town's own.
 * A handful of entities: what the board's marker needs, with no read per bead.
 */
export function foreignTags(state: StateView): Set<string> {
  const own = (state.get(FED_KIND, SELF_ID) as { tag?: unknown } | undefined)?.tag;
  const tags = new Set<string>();
  for (const [id, entity] of state.all(FED_KIND)) {
    const town = (entity as { town?: unknown }).town;
    if (id.startsWith('from-') && isTownId(town)) tags.add(townTag(town));
  }
  if (typeof own === 'string') tags.delete(own);
  return tags;
}

/**
 * Whether bead `id` was drawn in another town: its random part (after the prefix's last `-`,
 * before a step's `.n`) starts with one of `tags` (`foreignTags`). Beads drawn before their
 * town federated carry no tag and are not marked (their details still tell, from `fed-meta`).
 */
export function drawnElsewhere(id: string, tags: ReadonlySet<string>): boolean {
  if (tags.size === 0) return false;
  const root = id.split('.')[0]!;
  const random = root.slice(root.lastIndexOf('-') + 1);
  for (const tag of tags) if (random.length > tag.length && random.startsWith(tag)) return true;
  return false;
}
