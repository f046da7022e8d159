import { CitadelError } from '../common/errors.js';
import type { Bead } from './bead.js';

/**
 * The scheduling fields of a bead (docs/scheduler.md), the OS view of work: timers, semaphores
 * and background services. They are ordinary extra fields on the bead, so older towns and
 * imports simply lack them:
 *
 * | field | on | meaning |
 * |---|---|---|
 * | `defer_until` | work | ISO time: not ready before it (a timed bead) |
 * | `every` | work | an interval (`1d`, `12h`, `nightly`): when closed, the next one is poured, deferred by it |
 * | `recurs_from` | work | the bead this one was poured from (a recurrence) |
 * | `uses` | work | resource bead ids: ready only while each has a free slot |
 * | `capacity` | resource | how many beads that use it may be in progress at once (default 1) |
 * | `pinned` | work | its polecat is kept running (restarted with backoff), never scheduled away |
 * | `needs_skill` | work | skills a polecat or agent must have shown to be given it |
 *
 * Pure: readers of these fields and the interval/time grammar. No clock is read here; callers
 * pass `now`.
 */

export type ScheduledBead = Bead & {
  readonly defer_until?: string | null;
  readonly every?: string | null;
  readonly recurs_from?: string | null;
  readonly uses?: readonly string[];
  readonly capacity?: number;
  readonly pinned?: boolean;
  readonly needs_skill?: readonly string[];
};

const invalid = (message: string): CitadelError => new CitadelError('invalid', message);

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
const NAMED: Readonly<Record<string, number>> = { hourly: 3_600_000, daily: 86_400_000, nightly: 86_400_000, weekly: 7 * 86_400_000 };

/** The shortest recurrence: a bead that recurs faster than this is a loop, not a schedule. */
export const MIN_INTERVAL_MS = 1000;

/**
 * An interval in ms: `90s`, `15m`, `12h`, `1d`, `2w`, combined (`1h30m`), or `hourly`,
 * `daily`, `nightly`, `weekly`. Throws one line saying what is accepted.
 */
export function parseInterval(text: unknown, what = '--every'): number {
  const raw = typeof text === 'string' ? text.trim().toLowerCase() : '';
  const named = NAMED[raw];
  if (named !== undefined) return named;
  let total = 0;
  let rest = raw;
  const part = /^(\d{1,6})\s*([smhdw])/;
  while (rest !== '') {
    const match = part.exec(rest);
    if (!match) {
      total = Number.NaN;
      break;
    }
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    rest = rest.slice(match[0].length).trimStart();
  }
  if (!Number.isFinite(total) || total < MIN_INTERVAL_MS) {
    throw invalid(`${what} ${JSON.stringify(text)} is not an interval: use e.g. 30m, 12h, 1d, 1h30m, hourly, nightly or weekly (at least 1s)`);
  }
  return total;
}

/**
 * A time for `--defer-until`: an ISO-8601 date or date-time (`2026-12-24`, `2026-12-24T09:00Z`),
 * or `+INTERVAL` from `now` (`+2h`). Returned as ISO-8601 UTC.
 */
export function parseTime(text: unknown, now: number, what = '--defer-until'): string {
  const raw = typeof text === 'string' ? text.trim() : '';
  if (raw.startsWith('+')) return new Date(now + parseInterval(raw.slice(1), what)).toISOString();
  const ms = /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw) : Number.NaN;
  if (!Number.isFinite(ms)) throw invalid(`${what} ${JSON.stringify(text)} is not a time: use an ISO date or time (2026-12-24, 2026-12-24T09:00:00Z) or +INTERVAL (+2h)`);
  return new Date(ms).toISOString();
}

/** When the bead may start, in epoch ms; undefined when it is not deferred. */
export function deferredUntil(bead: Bead): number | undefined {
  const value = (bead as ScheduledBead).defer_until;
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Whether `bead` is deferred past `now`. */
export function isDeferred(bead: Bead, now: number): boolean {
  const until = deferredUntil(bead);
  return until !== undefined && until > now;
}

/** The resources a bead uses (ids), [] for none. */
export function usesOf(bead: Bead): readonly string[] {
  const uses = (bead as ScheduledBead).uses;
  return Array.isArray(uses) ? uses.filter((id): id is string => typeof id === 'string') : [];
}

/** How many users a resource admits at once: its `capacity` (default 1); 0 once it is closed. */
export function capacityOf(resource: Bead | undefined): number {
  if (!resource || resource.type !== 'resource' || resource.status === 'closed') return 0;
  const capacity = (resource as ScheduledBead).capacity;
  return Number.isInteger(capacity) && (capacity as number) >= 0 ? (capacity as number) : 1;
}

export const isPinned = (bead: Bead): boolean => (bead as ScheduledBead).pinned === true;

export function skillsNeeded(bead: Bead): readonly string[] {
  const skills = (bead as ScheduledBead).needs_skill;
  return Array.isArray(skills) ? skills.filter((s): s is string => typeof s === 'string') : [];
}

/** The recurrence interval of a bead, or undefined (an unreadable one is ignored, never fatal). */
export function recurrenceOf(bead: Bead): number | undefined {
  const every = (bead as ScheduledBead).every;
  if (typeof every !== 'string') return undefined;
  try {
    return parseInterval(every);
  } catch {
    return undefined;
  }
}

/** Who holds each resource: the ids of beads in progress that use it, by resource id. */
export function resourceHolders(beads: ReadonlyMap<string, Bead>): Map<string, string[]> {
  const holders = new Map<string, string[]>();
  for (const bead of beads.values()) {
    if (bead.status !== 'in_progress') continue;
    const uses = (bead as ScheduledBead).uses;
    if (!Array.isArray(uses) || uses.length === 0) continue;
    for (const id of usesOf(bead)) {
      const list = holders.get(id);
      if (list) list.push(bead.id);
      else holders.set(id, [bead.id]);
    }
  }
  return holders;
}

/**
 * The first resource of `bead` with no free slot, given who holds what, with a line saying
 * why; undefined when every resource it uses has room.
 */
export function fullResource(bead: Bead, beads: ReadonlyMap<string, Bead>, holders: ReadonlyMap<string, readonly string[]>): { id: string; why: string } | undefined {
  for (const id of usesOf(bead)) {
    const resource = beads.get(id);
    const capacity = capacityOf(resource);
    const held = (holders.get(id) ?? []).filter((holder) => holder !== bead.id);
    if (held.length < capacity) continue;
    if (!resource) return { id, why: `it uses ${id}, which does not exist` };
    if (resource.type !== 'resource') return { id, why: `it uses ${id}, which is a ${resource.type}, not a resource` };
    if (resource.status === 'closed') return { id, why: `it uses ${id}, which is closed` };
    return { id, why: `${id} is at capacity ${capacity} (held by ${held.join(', ')})` };
  }
  return undefined;
}

/** What to write for the next occurrence of a recurring bead closed at `closedAt` (epoch ms). */
export function nextOccurrence(bead: Bead, closedAt: number): { deferUntil: string; interval: number } | undefined {
  const interval = recurrenceOf(bead);
  return interval === undefined ? undefined : { deferUntil: new Date(closedAt + interval).toISOString(), interval };
}

/** The scheduling options of `bead create` / `bead update`, as typed. `none` clears one (update). */
export interface ScheduleInput {
  readonly deferUntil?: string | undefined;
  readonly every?: string | undefined;
  readonly uses?: readonly string[] | undefined;
  readonly capacity?: string | number | undefined;
  readonly pinned?: boolean | undefined;
  readonly needsSkill?: readonly string[] | undefined;
}

const NONE = new Set(['none', '']);

/**
 * The extra fields for scheduling options (null = remove, for an update), checked one line at
 * a time. `uses` ids are checked against the town by {@link checkUses}, inside the mutation.
 */
export function scheduleFields(input: ScheduleInput, type: string, now: number): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (input.deferUntil !== undefined) fields.defer_until = NONE.has(input.deferUntil.trim()) ? null : parseTime(input.deferUntil, now);
  if (input.every !== undefined) {
    const every = input.every.trim().toLowerCase();
    if (NONE.has(every)) fields.every = null;
    else {
      parseInterval(every);
      fields.every = every;
    }
  }
  if (input.uses !== undefined) fields.uses = input.uses.length === 1 && NONE.has(input.uses[0]!) ? null : [...new Set(input.uses)];
  if (input.capacity !== undefined) {
    if (type !== 'resource') throw invalid('--capacity is for a resource: create it with --type resource --capacity N');
    const text = String(input.capacity).trim();
    if (!/^\d{1,6}$/.test(text)) throw invalid(`--capacity ${JSON.stringify(input.capacity)} must be a whole number (how many beads may use the resource at once)`);
    fields.capacity = Number(text);
  }
  if (input.pinned !== undefined) fields.pinned = input.pinned ? true : null;
  if (input.needsSkill !== undefined) {
    const skills = input.needsSkill.length === 1 && NONE.has(input.needsSkill[0]!) ? [] : [...new Set(input.needsSkill)];
    for (const skill of skills) {
      if (!/^[^\s,]{1,64}$/.test(skill)) throw invalid(`bad skill ${JSON.stringify(skill)}: a skill is a label, a bead type or a path (e.g. docs, bug, src/journal), without spaces`);
    }
    fields.needs_skill = skills.length ? skills : null;
  }
  if (type === 'resource' && (fields.uses || fields.every || fields.pinned || fields.needs_skill || fields.defer_until)) {
    throw invalid('a resource is not work: --uses, --every, --pinned, --needs-skill and --defer-until go on the beads that use it');
  }
  return fields;
}

/** Each id in `uses` names a resource bead (looked up as typed or with the town's prefix); returns the ids found. */
export function checkUses(uses: readonly string[], find: (id: string, what: string) => Bead): string[] {
  return uses.map((id) => {
    const resource = find(id, 'uses');
    if (resource.type !== 'resource') throw invalid(`--uses ${resource.id}: it is a ${resource.type.replace('_', ' ')}, not a resource (create one with \`citadel bead create NAME --type resource --capacity N\`)`);
    return resource.id;
  });
}
