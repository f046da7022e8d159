import { readdirSync, realpathSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { resolveActor } from '../common/actor.js';
import { acquireLock } from '../git/lock.js';
import type { StateView } from '../journal/types.js';
import { loadConfig } from './config.js';
import { ensurePrivateDir, readRegularFile, writePrivate } from './private-fs.js';
import type { Town } from './town.js';
import { fingerprint, reviewTrust, trustAll, type TownCommands, type TrustItem, type TrustRecord } from './trust.js';
import { POLECAT_KIND } from '../model/polecat.js';

/**
 * The trust store: one small JSON record per town, outside every repository (like direnv's
 * `~/.local/share/direnv/allow`), in `$XDG_DATA_HOME/citadel/trust/` (default
 * `~/.local/share/citadel/trust/`), folder 0700 and files 0600. A repository cannot bring
 * its own trust: nothing in it is read to decide what is trusted.
 */
export function trustDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_DATA_HOME;
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.local', 'share');
  return join(base, 'citadel', 'trust');
}

function realRoot(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return root;
  }
}

function recordFile(root: string, env: NodeJS.ProcessEnv): string {
  return join(trustDir(env), `${fingerprint(realRoot(root)).slice(0, 32)}.json`);
}

/** The record for the town at `root`, or undefined (never trusted here, or an unreadable record: nothing is trusted). */
export function readTrust(root: string, env: NodeJS.ProcessEnv): TrustRecord | undefined {
  let text: string;
  try {
    text = readRegularFile(recordFile(root, env), 'a trust record');
  } catch {
    return undefined;
  }
  try {
    const record = JSON.parse(text) as Partial<TrustRecord>;
    if (record.version !== 1 || record.town !== realRoot(root) || typeof record.molecules !== 'object' || typeof record.steps !== 'object') return undefined;
    return record as TrustRecord;
  } catch {
    return undefined;
  }
}

function writeTrust(root: string, env: NodeJS.ProcessEnv, record: TrustRecord): void {
  const dir = trustDir(env);
  try {
    ensurePrivateDir(dir);
    const file = recordFile(root, env);
    const temp = `${file}.${process.pid}.tmp`;
    writePrivate(temp, `${JSON.stringify(record, null, 2)}\n`);
    renameSync(temp, file);
  } catch (error) {
    if (error instanceof CitadelError) throw error;
    throw new CitadelError('io', `cannot write the trust store ${dir} (${(error as Error).message}): check that folder, or set XDG_DATA_HOME`);
  }
}

/** Reads the commands the town's files hold now: config gates, town molecules, open step beads' gates. */
export function townCommands(town: Town): TownCommands {
  const config = loadConfig(town.paths.config);
  return { gates: config.gates, molecules: townMolecules(town.paths.molecules), steps: stepGates(town.journal.read()) };
}

function townMolecules(dir: string): TownCommands['molecules'] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  // The same files the molecule library reads (src/town/molecules.ts): regular `*.md` files.
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md') && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort()
    .map((fileName) => {
      const file = join(dir, fileName);
      const text = readRegularFile(file, 'a molecule must be a markdown file');
      const gates = [...text.matchAll(/^\s*Gate:\s*(.*?)\s*$/gm)].map((match) => match[1] ?? '');
      return { name: fileName.slice(0, -3), file: `.citadel/molecules/${fileName}`, text, gates };
    });
}

function stepGates(state: StateView): TownCommands['steps'] {
  const steps: { id: string; gate: unknown; createdBy: string }[] = [];
  for (const bead of state.all('beads').values()) {
    const gate = (bead as { gate?: unknown }).gate;
    if (gate === undefined || gate === null || gate === '' || bead.status === 'closed') continue;
    steps.push({ id: bead.id, gate, createdBy: typeof bead.created_by === 'string' ? bead.created_by : '?' });
  }
  return steps.sort((a, b) => a.id.localeCompare(b.id));
}

/** What `citadel trust --show` prints: every command of the town, and whether it is trusted. */
export function reviewTown(town: Town, env: NodeJS.ProcessEnv): TrustItem[] {
  return reviewTrust(townCommands(town), readTrust(town.paths.root, env));
}

/**
 * Trusts everything the town holds now (`citadel trust`, the first `citadel init` here).
 * Refused inside a polecat: an agent does not choose what this machine runs.
 */
export function trustTown(town: Town, env: NodeJS.ProcessEnv, now = new Date()): TrustItem[] {
  refuseInPolecat(town, env, 'trust a town’s commands');
  const release = lockStore(env);
  try {
    const commands = townCommands(town);
    const items = reviewTrust(commands, readTrust(town.paths.root, env));
    writeTrust(town.paths.root, env, trustAll(realRoot(town.paths.root), commands, now));
    return items;
  } finally {
    release();
  }
}

/**
 * Records the gates of steps just poured by this user as trusted (a pour is their own act,
 * like typing the command). Not for a polecat's pour, nor for a pour of a town molecule that
 * changed since it was trusted: those gates wait for `citadel trust`. Returns whether it did.
 */
export function trustPouredSteps(
  town: Town,
  env: NodeJS.ProcessEnv,
  poured: { readonly steps: readonly { readonly id: string; readonly gate?: unknown }[]; readonly townMolecules: readonly string[] },
): boolean {
  const withGates = poured.steps.filter((step) => step.gate !== undefined && step.gate !== null && step.gate !== '');
  if (withGates.length === 0) return true;
  if (actsAsPolecat(town.journal.read(), env)) return false;
  // Read, add, write under the store's lock: two pours at once must not drop each other's steps.
  let release: () => void;
  try {
    release = lockStore(env);
  } catch {
    return false;
  }
  try {
    return addSteps(town, env, withGates, poured.townMolecules);
  } finally {
    release();
  }
}

function addSteps(town: Town, env: NodeJS.ProcessEnv, withGates: readonly { readonly id: string; readonly gate?: unknown }[], usedMolecules: readonly string[]): boolean {
  const record = readTrust(town.paths.root, env);
  const molecules = new Map(townMolecules(town.paths.molecules).map((m) => [m.name, m]));
  for (const name of usedMolecules) {
    const molecule = molecules.get(name);
    if (!molecule || record?.molecules[name] !== fingerprint(molecule.text)) return false;
  }
  const base: TrustRecord = record ?? { version: 1, town: realRoot(town.paths.root), trusted_at: new Date().toISOString(), gates: null, molecules: {}, steps: {} };
  const steps = { ...base.steps };
  for (const step of withGates) steps[step.id] = fingerprint(step.gate);
  try {
    writeTrust(town.paths.root, env, { ...base, steps });
  } catch {
    return false; // the pour stands; its gates wait for `citadel trust`, which reports the store's error
  }
  return true;
}

/** The store's lock (`flock`, freed if the holder dies), waited for up to 2 s. */
function lockStore(env: NodeJS.ProcessEnv): () => void {
  const dir = trustDir(env);
  try {
    ensurePrivateDir(dir);
  } catch (error) {
    if (error instanceof CitadelError) throw error;
    throw new CitadelError('io', `cannot make the trust store ${dir} (${(error as Error).message}): check that folder, or set XDG_DATA_HOME`);
  }
  const deadline = Date.now() + 2000;
  for (;;) {
    try {
      return acquireLock(join(dir, 'LOCK'), 'another trust update');
    } catch (error) {
      if (!(error instanceof CitadelError && error.code === 'conflict') || Date.now() > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}

/** Inside a polecat: `$CITADEL_POLECAT` is set, or the actor is one of the town's polecats. */
export function actsAsPolecat(state: StateView, env: NodeJS.ProcessEnv): boolean {
  if (env.CITADEL_POLECAT?.trim()) return true;
  const actor = resolveActor(env);
  return actor !== 'overseer' && state.get(POLECAT_KIND, actor) !== undefined;
}

function refuseInPolecat(town: Town, env: NodeJS.ProcessEnv, what: string): void {
  if (actsAsPolecat(town.journal.read(), env)) {
    throw new CitadelError('refused', `a polecat (${resolveActor(env)}) cannot ${what}: the overseer runs \`citadel trust\` from their own shell`);
  }
}
