import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir, writeFileAtomic } from './files.js';
import type { EntityState } from './state.js';
import type { Entity } from './types.js';

/**
 * Projections: one pretty JSON file per live entity, `<root>/<kind>/<id>.json`, for people and
 * `git diff`. They are derived: written after the journal, rebuilt from it when behind or
 * missing, and never read on the hot path (the snapshot and the journal are).
 */
export function projectionFile(root: string, kind: string, id: string): string {
  return join(root, kind, `${id}.json`);
}

export function projectionText(entity: Entity): string {
  return `${JSON.stringify(entity, null, 2)}\n`;
}

/** Writes the current state of each touched entity (or removes its file), then fsyncs the kind directories. */
export function writeProjections(root: string, state: EntityState, touched: Iterable<readonly [string, string]>, fsync: boolean): void {
  const dirs = new Set<string>();
  for (const [kind, id] of touched) {
    if (kind.startsWith('_')) continue;
    const dir = join(root, kind);
    if (!dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      dirs.add(dir);
    }
    const entity = state.get(kind, id);
    const file = projectionFile(root, kind, id);
    if (entity) writeFileAtomic(file, projectionText(entity), { fsync: false });
    else unlinkIfPresent(file);
  }
  if (fsync) for (const dir of dirs) fsyncDir(dir);
}

/** Rewrites every projection from the state and removes files of entities that no longer exist. */
export function rebuildProjections(root: string, state: EntityState, fsync: boolean): { written: number; removed: number } {
  let written = 0;
  let removed = 0;
  for (const [kind, map] of state.entries()) {
    const dir = join(root, kind);
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir)) {
      if (name.endsWith('.json') && !map.has(name.slice(0, -5))) {
        unlinkIfPresent(join(dir, name));
        removed++;
      }
    }
    for (const [id, entity] of map) {
      const file = projectionFile(root, kind, id);
      const text = projectionText(entity);
      if (readIfPresent(file) !== text) {
        writeFileAtomic(file, text, { fsync: false });
        written++;
      }
    }
    if (fsync) fsyncDir(dir);
  }
  return { written, removed };
}

/** Compares projection files with the state: which are missing, stale, or left over. */
export function checkProjections(root: string, state: EntityState): { checked: number; missing: string[]; stale: string[]; extra: string[] } {
  const missing: string[] = [];
  const stale: string[] = [];
  const extra: string[] = [];
  let checked = 0;
  for (const [kind, map] of state.entries()) {
    const dir = join(root, kind);
    const present = new Set(existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.json')) : []);
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

function unlinkIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
