import type { Change, Entity, Mutator } from '../journal/types.js';
import { checkAddress } from '../model/address.js';
import { BEAD_KIND, isBeadStatus, isBeadType, type Bead } from '../model/bead.js';
import { modelContext } from '../model/context.js';
import { isBeadId } from '../model/ids.js';
import { BeadTransaction } from '../model/transaction.js';
import { formatClock, parseClock, receive, tagOf, tick, ZERO_TAG, type Hlc } from './clock.js';
import {
  clockOf,
  CONFLICT_KIND,
  cursorId,
  cursorOf,
  FED_KIND,
  META_KIND,
  metaOf,
  SELF_ID,
  selfOf,
  type ConflictEntity,
  type CursorEntity,
  type MetaEntity,
  type SelfEntity,
} from './entities.js';
import type { FedEvent } from './events.js';
import { SET_FIELDS, UNREPORTED_FIELDS, valueHash } from './fields.js';
import { Retry } from './export.js';

/** What materializing one batch of a foreign town's events did. */
export interface MaterializeResult {
  applied: number;
  skipped: number;
  readonly created: string[];
  readonly updated: string[];
  readonly conflicts: ConflictEntity[];
  readonly mailed: string[];
  readonly rejected: string[];
}

export interface MaterializeInput {
  readonly town: string;
  readonly origin: string;
  readonly events: readonly FedEvent[];
  /** The commit whose chunk this batch ends, when it does (the cursor then moves past it). */
  readonly commitDone: string | undefined;
  readonly prefix: string;
  readonly now: () => number;
}

/** The federation actor: the sender of claim-lost mail. */
export const FEDERATION_ACTOR = 'federation';

/**
 * Applies a foreign town's events as ordinary local mutations, in one journal mutation with the
 * cursor (`fed/from-<town>`), the per-field tags and every conflict: a kill -9 leaves either all
 * of it or none, and events at or below the cursor are skipped, so re-syncing is idempotent.
 *
 * Per field, the write with the larger tag (clock@town) wins — the same choice in every town.
 * A write whose replaced value is not the value here met a concurrent edit: that is a conflict,
 * recorded (both values, both tags, which was kept) and reported, never dropped. A lost claim
 * (`assignee`) also mails the local claimer. `read_by` merges as a set.
 */
export function materialize(input: MaterializeInput): Mutator<MaterializeResult> {
  return (state) => {
    const self = selfOf(state);
    if (!self) throw new Retry('export first');
    if (state.seq !== self.exported) throw new Retry('local writes to export first');
    const cursor = cursorOf(state, input.origin);
    const nowIso = new Date(input.now()).toISOString();
    const tx = new BeadTransaction(state, modelContext(FEDERATION_ACTOR, input.prefix, { now: () => nowIso }));
    const metas = new Map<string, MetaEntity>();
    const result: MaterializeResult = { applied: 0, skipped: 0, created: [], updated: [], conflicts: [], mailed: [], rejected: [] };
    let clock: Hlc = clockOf(self);
    let seq = cursor?.seq ?? 0;
    let conflictN = 0;

    for (const event of input.events) {
      if (event.s <= seq) {
        result.skipped++;
        continue;
      }
      seq = event.s;
      const remoteClock = parseClock(event.c);
      if (!remoteClock) {
        result.rejected.push(`${event.i} (#${event.s}): bad clock`);
        continue;
      }
      clock = receive(clock, remoteClock, input.now());
      if (event.k !== BEAD_KIND) continue;
      const why = badBead(event.e);
      if (why) {
        result.rejected.push(`${event.i} (#${event.s}): ${why}`);
        continue;
      }
      const tag = tagOf(event.c, input.origin);
      const incoming = event.e as Bead;
      const current = tx.get(incoming.id);
      const meta = metas.get(incoming.id) ?? metaOf(state, incoming.id);
      const fields: Record<string, readonly [string, string]> = { ...(meta?.f ?? {}) };
      const summary = `from ${input.origin} #${event.s}: ${event.sm ?? `${event.a} ${incoming.id}`}`;
      try {
        if (!current) {
          for (const [key, value] of Object.entries(incoming)) fields[key] = [valueHash(value), tag];
          tx.put(incoming, event.a, summary);
          result.created.push(incoming.id);
        } else {
          const next: Record<string, unknown> = { ...current };
          let changed = false;
          // A bead this town has but never tagged (made before it federated) counts as the same
          // bead when both towns drew its id: every field they hold differently is a conflict.
          const keys = meta ? Object.keys(event.f) : [...new Set([...Object.keys(incoming), ...Object.keys(current)])];
          for (const key of keys) {
            if (key === 'id') continue;
            const value = (incoming as Record<string, unknown>)[key];
            const here = (current as Record<string, unknown>)[key];
            const hash = valueHash(value);
            const hereHash = valueHash(here);
            const mine = fields[key] ?? [hereHash, ZERO_TAG];
            if (hash === hereHash) {
              if (tag > mine[1]) fields[key] = [hash, tag];
              continue;
            }
            const replaced = meta ? event.f[key] : undefined;
            const concurrent = replaced !== hereHash;
            if (SET_FIELDS.has(key) && Array.isArray(value) && Array.isArray(here)) {
              // A grow-only set (readers never un-read): always the union, sorted, whatever the
              // order of the writes — so every town ends with the same array (merging only
              // concurrent writes left a town that took a later plain write without a reader).
              const union = [...new Set([...here, ...value])].sort();
              fields[key] = [valueHash(union), tag > mine[1] ? tag : mine[1]];
              if (valueHash(union) !== hereHash) {
                next[key] = union;
                changed = true;
              }
              continue;
            }
            const theirsWins = tag > mine[1];
            if (theirsWins) {
              if (value === undefined) delete next[key];
              else next[key] = value;
              fields[key] = [hash, tag];
              changed = true;
            }
            // Two towns closing one bead at once differ only in when: that is bookkeeping too.
            const bothClosed = key === 'closed_at' && here != null && value != null;
            if (concurrent && !UNREPORTED_FIELDS.has(key) && !bothClosed) {
              const conflict: ConflictEntity = {
                id: `${input.origin}.${event.s}.${conflictN++}`,
                bead: incoming.id,
                field: key,
                kept: theirsWins ? { value: value ?? null, tag } : { value: here ?? null, tag: mine[1] },
                lost: theirsWins ? { value: here ?? null, tag: mine[1] } : { value: value ?? null, tag },
                at: nowIso,
              };
              result.conflicts.push(conflict);
              if (key === 'assignee' && theirsWins && typeof here === 'string' && here !== '') {
                const loser = addressOr(here);
                clock = tick(clock, input.now());
                tx.sendMail({
                  to: loser,
                  subject: `Claim lost: ${incoming.id} ${incoming.title}`.slice(0, 900),
                  body:
                    `${incoming.id} was claimed here by ${here} and in town ${input.origin} by ${String(value)} at the same time.\n` +
                    `Federation keeps one claim (the later clock wins, the same in every town): ${String(value)} has it now.\n` +
                    'Stop work on it and pick another bead from `citadel ready`.',
                });
                result.mailed.push(`${loser}: ${incoming.id}`);
              }
            }
          }
          if (changed) {
            tx.put(next as Bead, event.a, summary);
            result.updated.push(incoming.id);
          }
        }
      } catch (error) {
        result.rejected.push(`${incoming.id} (#${event.s}): ${(error as Error).message}`);
        continue;
      }
      metas.set(incoming.id, { id: incoming.id, f: fields });
      result.applied++;
    }

    const changes: Change[] = [];
    const nextCursor: CursorEntity = {
      id: cursorId(input.origin),
      town: input.origin,
      seq,
      commit: input.commitDone ?? cursor?.commit ?? null,
      events: (cursor?.events ?? 0) + result.applied,
    };
    changes.push({ kind: FED_KIND, id: nextCursor.id, entity: nextCursor, action: 'fed-pull', summary: `pulled ${result.applied} events from ${input.origin}` });
    const beadChanges = tx.changes;
    // Mail this mutation sent (a lost claim) gets tags too, so a later local edit of it exports only what changed.
    for (const change of beadChanges) {
      if (!metas.has(change.id) && change.entity) {
        const tag = tagOf(clock, self.town);
        const f: Record<string, readonly [string, string]> = {};
        for (const [key, value] of Object.entries(change.entity)) f[key] = [valueHash(value), tag];
        metas.set(change.id, { id: change.id, f });
      }
    }
    changes.push(...beadChanges);
    for (const meta of metas.values()) changes.push({ kind: META_KIND, id: meta.id, entity: meta, action: 'fed-pull' });
    for (const conflict of result.conflicts) {
      changes.push({ kind: CONFLICT_KIND, id: conflict.id, entity: conflict, action: 'fed-conflict', summary: `conflict on ${conflict.bead} ${conflict.field}` });
    }
    // The last record: `exported` is the seq after this mutation, so the export's walk never sees it.
    const nextSelf: SelfEntity = { ...self, clock: formatClock(clock), exported: state.seq + changes.length + 1 };
    changes.push({ kind: FED_KIND, id: SELF_ID, entity: nextSelf, action: 'fed-pull' });
    return { changes, value: result };
  };
}

function addressOr(name: string): string {
  try {
    return checkAddress(name);
  } catch {
    return 'overseer';
  }
}

/** Why a foreign bead cannot be taken as it is, or undefined. The model's own limits are checked by `put`. */
function badBead(entity: Entity): string | undefined {
  const bead = entity as Partial<Bead>;
  if (!isBeadId(bead.id ?? '')) return 'bad id';
  if (!isBeadType(bead.type)) return 'bad type';
  if (!isBeadStatus(bead.status)) return 'bad status';
  if (typeof bead.title !== 'string') return 'no title';
  if (!Array.isArray(bead.labels) || !Array.isArray(bead.needs)) return 'bad labels or needs';
  return undefined;
}
