import type { Entity, StateView } from '../journal/types.js';
import { TOWN_TAG_ID, TOWN_TAG_KIND } from '../model/ids.js';
import { parseClock, ZERO_CLOCK, type Hlc } from './clock.js';

/**
 * What federation keeps in the journal (so it moves atomically with the beads it touches, and a
 * kill -9 at any point leaves a state a re-sync continues from):
 *
 * - `fed/self`: this town's id and id tag, its clock, how far its own records are exported
 *   (`exported`, a journal seq) and the generation of the last chunk written (`gen`).
 * - `fed/from-<town>`: the cursor of a foreign town: the last of its events applied (`seq`,
 *   its own journal's seq) and the last of its commits read whole (`commit`).
 * - `fed-meta/<bead id>`: for every field of a federated bead, the hash of its value and the
 *   tag (clock@town) of the write that set it: what the per-field merge compares.
 * - `fed-conflict/<town>.<seq>.<n>`: every concurrent edit of one field, with both values and
 *   which one was kept.
 */
export const FED_KIND = TOWN_TAG_KIND;
export const SELF_ID = TOWN_TAG_ID;
export const META_KIND = 'fed-meta';
export const CONFLICT_KIND = 'fed-conflict';
export const cursorId = (town: string): string => `from-${town}`;

export interface SelfEntity extends Entity {
  readonly id: typeof SELF_ID;
  readonly town: string;
  readonly tag: string;
  readonly clock: string;
  readonly exported: number;
  readonly gen: number;
}

export interface CursorEntity extends Entity {
  readonly town: string;
  readonly seq: number;
  readonly commit: string | null;
  readonly events: number;
}

/** field → [hash of the value, tag of the write that set it]. */
export type FieldTags = Readonly<Record<string, readonly [string, string]>>;

export interface MetaEntity extends Entity {
  readonly f: FieldTags;
}

export interface ConflictEntity extends Entity {
  readonly bead: string;
  readonly field: string;
  readonly kept: { readonly value: unknown; readonly tag: string };
  readonly lost: { readonly value: unknown; readonly tag: string };
  readonly at: string;
}

export function selfOf(state: StateView): SelfEntity | undefined {
  return state.get(FED_KIND, SELF_ID) as SelfEntity | undefined;
}

export function clockOf(self: SelfEntity | undefined): Hlc {
  return parseClock(self?.clock) ?? ZERO_CLOCK;
}

export function cursorOf(state: StateView, town: string): CursorEntity | undefined {
  return state.get(FED_KIND, cursorId(town)) as CursorEntity | undefined;
}

export function metaOf(state: StateView, bead: string): MetaEntity | undefined {
  return state.get(META_KIND, bead) as MetaEntity | undefined;
}

/** True for the kinds federation writes for itself (never exported). */
export const isFederationKind = (kind: string): boolean => kind === FED_KIND || kind === META_KIND || kind === CONFLICT_KIND;
