import { closeSync, constants, fstatSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A polecat the journal knows whose program is not running: lost with a daemon, or exited. */
export interface LostPolecat {
  readonly name: string;
  readonly status: 'lost' | 'exited';
  /** The bead it holds, or the one its exit gave back (`polecat restart` takes it again). */
  readonly bead: string | undefined;
  readonly exitCode: number | undefined;
}

/** At most this many polecat files are read (a town has tens). */
const MAX_FILES = 500;
/** A polecat projection is a few hundred bytes; anything far larger is not one. */
const MAX_BYTES = 64 * 1024;
const fileName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\.json$/;

/**
 * The polecats whose program is not running and that have no pane in the daemon (`panes`):
 * lost when the daemon stopped or crashed and was not brought back, or exited. Read from their
 * projections (`.citadel/polecats/<name>.json`), as the title bars read bead titles: no journal
 * replay. Town files are hostile: no link is followed, only regular files of sane size are read,
 * and a file that does not parse is skipped.
 */
export function readLostPolecats(projections: string, panes: ReadonlySet<string>): LostPolecat[] {
  const dir = join(projections, 'polecats');
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => fileName.test(n)).sort().slice(0, MAX_FILES);
  } catch {
    return [];
  }
  const out: LostPolecat[] = [];
  for (const file of names) {
    const name = file.slice(0, -'.json'.length);
    if (panes.has(name)) continue;
    const raw = readSmall(join(dir, file));
    if (!raw) continue;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (typeof record !== 'object' || record === null) continue;
    const status = record['status'];
    if (status !== 'lost' && status !== 'exited') continue;
    const bead = text(record['bead']) ?? text(record['released_bead']);
    const code = record['exit_code'];
    out.push({ name: text(record['name']) ?? name, status, bead, exitCode: typeof code === 'number' ? code : undefined });
  }
  return out;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function readSmall(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.size > MAX_BYTES) return undefined;
    return readFileSync(fd, 'utf8');
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Whether two lists say the same (so an unchanged read changes no state). */
export function sameLost(a: readonly LostPolecat[], b: readonly LostPolecat[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]!.name && p.status === b[i]!.status && p.bead === b[i]!.bead && p.exitCode === b[i]!.exitCode);
}
