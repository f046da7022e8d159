import { readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir, writeFileAtomic } from './files.js';
import { ensureDir, isSafeDir, readFileSafe } from './safefs.js';
import type { EntityState } from './state.js';
import type { Entity } from './types.js';

/**
 * Projections: one pretty JSON file per live entity, `<root>/<kind>/<id>.json`, for people and
 * `git diff`. They are derived: written after the journal, rebuilt from it when behind or
 * missing, and never read on the hot path (the snapshot and the journal are).
 *
 * They are also the last copy of an entity when the journal lost records (a cut segment, an
 * old checkout): so nothing here removes the file of an entity the state does not know. Only a
 * tombstone the journal holds removes a file (`writeProjections`); `doctor --repair` judges
 * the rest (src/journal/repair.ts).
 */
export function projectionFile(root: string, kind: string, id: string): string {
  return join(root, kind, `${id}.json`);
}

export function projectionText(entity: Entity): string {
  return `${JSON.stringify(entity, null, 2)}\n`;
}

/** Writes the current state of each touched entity (or removes its file), then fsyncs the kind directories. */
/** Which kinds get projection files (`JournalOptions.projectKinds`); undefined: every kind. */
export type ProjectedKinds = ReadonlySet<string> | undefined;
export const isProjected = (kinds: ProjectedKinds, kind: string): boolean => !kind.startsWith('_') && (kinds === undefined || kinds.has(kind));

export function writeProjections(root: string, get: (kind: string, id: string) => Entity | undefined, touched: Iterable<readonly [string, string]>, fsync: boolean, kinds?: ProjectedKinds): void {
  const dirs = new Set<string>();
  for (const [kind, id] of touched) {
    if (!isProjected(kinds, kind)) continue;
    const dir = join(root, kind);
    if (!dirs.has(dir)) {
      ensureDir(dir);
      dirs.add(dir);
    }
    const entity = get(kind, id);
    const file = projectionFile(root, kind, id);
    if (entity) writeFileAtomic(file, projectionText(entity), { fsync: false });
    else unlinkIfPresent(file);
  }
  if (fsync) for (const dir of dirs) fsyncDir(dir);
}

/**
 * Rewrites every projection that differs from the state (with `overwrite: false`, only the
 * missing ones). Files of entities the state does not hold are left alone and counted
 * (`leftOver`): they may be the only copy of records the journal lost.
 */
export function rebuildProjections(root: string, state: EntityState, fsync: boolean, options: { overwrite: boolean; kinds?: ProjectedKinds } = { overwrite: true }): { written: number; leftOver: number } {
  let written = 0;
  let leftOver = 0;
  for (const [kind, map] of state.entries()) {
    if (!isProjected(options.kinds, kind)) continue;
    const dir = join(root, kind);
    ensureDir(dir);
    for (const name of readdirSync(dir)) if (name.endsWith('.json') && !map.has(name.slice(0, -5))) leftOver++;
    for (const [id, entity] of map) {
      const file = projectionFile(root, kind, id);
      const text = projectionText(entity);
      const present = readIfPresent(file);
      if (present !== text && (options.overwrite || present === undefined)) {
        writeFileAtomic(file, text, { fsync: false });
        written++;
      }
    }
    if (fsync) fsyncDir(dir);
  }
  return { written, leftOver };
}

/** Compares projection files with the state: which are missing, stale, or left over. */
export function checkProjections(root: string, state: EntityState, kinds?: ProjectedKinds): { checked: number; missing: string[]; stale: string[]; extra: string[] } {
  const missing: string[] = [];
  const stale: string[] = [];
  const extra: string[] = [];
  let checked = 0;
  for (const [kind, map] of state.entries()) {
    if (!isProjected(kinds, kind)) continue;
    const dir = join(root, kind);
    const present = new Set(isSafeDir(dir) ? readdirSync(dir).filter((n) => n.endsWith('.json')) : []);
    for (const [id, entity] of map) {
      checked++;
      const name = `${id}.json`;
      if (!present.has(name)) missing.push(`${kind}/${name}`);
      else if (readIfPresent(join(dir, name)) !== projectionText(entity)) stale.push(`${kind}/${name}`);
      present.delete(name);
    }
    for (const name of present) extra.push(`${kind}/${name}`);
  }
  return { checked, missing, stale, extra };
}

/**
 * The entities held by projection files under `root`: every directory named like a kind
 * (`skip` aside) whose `<id>.json` files parse to an object with that id. For repair, which
 * recovers entities the journal lost from them.
 */
export function readProjectionEntities(root: string, skip: ReadonlySet<string>, kinds?: ProjectedKinds): Map<string, Map<string, Entity>> {
  const out = new Map<string, Map<string, Entity>>();
  if (!isSafeDir(root)) return out;
  for (const kind of readdirSync(root)) {
    // A kind no longer projected keeps old files (an upgraded town's beads/): not kept current, so not evidence.
    if (skip.has(kind) || !/^[a-z][a-z0-9_-]{0,63}$/.test(kind) || !isProjected(kinds, kind)) continue;
    const dir = join(root, kind);
    let safe: boolean;
    try {
      safe = isSafeDir(dir);
    } catch {
      continue; // a link or a file: not ours to read
    }
    if (!safe) continue;
    const map = new Map<string, Entity>();
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.json')) continue;
      const id = name.slice(0, -5);
      try {
        const value = JSON.parse(readFileSafe(join(dir, name))?.toString('utf8') ?? 'null') as unknown;
        if (value && typeof value === 'object' && !Array.isArray(value) && (value as Entity).id === id) map.set(id, value as Entity);
      } catch {
        // a link, or not JSON: not an entity
      }
    }
    if (map.size) out.set(kind, map);
  }
  return out;
}

export function unlinkIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSafe(file)?.toString('utf8');
  } catch {
    return undefined; // a link or a directory: differs, so it is replaced (a rename never follows it)
  }
}
