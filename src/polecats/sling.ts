import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { CitadelError } from '../common/errors.js';
import type { Mutator } from '../journal/types.js';
import type { Bead } from '../model/bead.js';
import { isWork } from '../model/bead.js';
import { modelContext } from '../model/context.js';
import { BeadTransaction } from '../model/transaction.js';
import { findExecutable } from '../pty/executable.js';
import type { Town } from '../town/town.js';
import { polecatBranch, validateBeadId, validatePolecatName } from '../git/names.js';
import { localName } from '../model/address.js';
import { ensureWorktree } from '../git/worktree.js';
import type { DaemonClient } from '../daemon/client.js';
import { allPolecats, getPolecat, putPolecat, type Polecat } from '../model/polecat.js';
import { ensureCitadelShim, polecatEnv } from '../daemon/polecat-env.js';
import { beadPrompt, customPreset, defaultAgent, getPreset, launchFor } from '../agent-cli/presets.js';
import type { PaneInfo } from '../daemon/protocol.js';
import { getHost, type HostRecord } from '../remote/hosts.js';
import { validateHostName } from '../remote/names.js';

export interface SlingRequest {
  bead: string;
  /** `--polecat NAME`; otherwise an idle polecat or a new name from the pool. */
  polecat?: string | undefined;
  /** `--agent PRESET`; otherwise config `defaultAgent`, else the first real agent installed. */
  agent?: string | undefined;
  /** `-- ARGV…`: run this instead of a preset. */
  argv?: string[] | undefined;
  /** The environment the agent will inherit (for the PATH check). */
  env: NodeJS.ProcessEnv;
  /** `--host NAME`: run it on that remote host (docs/remote.md). */
  host?: string | undefined;
}

export interface SlingResult {
  polecat: string;
  bead: string;
  agent: string;
  argv: string[];
  worktree: string;
  branch: string;
  /** The worktree existed already (the polecat is reused). */
  reused: boolean;
  /** The branch existed already (the bead resumes on its own branch). */
  resumed: boolean;
  pid: number | null;
}

/** Names for new polecats, in order (then `polecat-N`). */
export const NAME_POOL = ['nux', 'slit', 'toast', 'capable', 'dag', 'cheedo', 'ace', 'rictus', 'morsov', 'keeper', 'valkyrie', 'glory', 'corpus', 'splendid', 'angharad', 'furiosa'];

/**
 * `citadel sling BEAD`: checks everything first (bead, name, agent installed), then gives the
 * polecat its worktree and branch, claims the bead for it and records it in one journal
 * mutation, and asks the daemon (started on demand by `connectDaemon`) to run it. If the daemon
 * cannot start it, the claim is undone: nothing is left half-done.
 */
export async function sling(town: Town, request: SlingRequest, connectDaemon: () => Promise<DaemonClient>): Promise<SlingResult> {
  const beadId = validateBeadId(request.bead);
  const state = town.journal.read();
  const bead = state.get('beads', beadId) as Bead | undefined;
  if (!bead) throw new CitadelError('not_found', `bead ${beadId} not found (see \`citadel ready\`)`);
  if (!isWork(bead)) throw new CitadelError('refused', `${beadId} is a ${bead.type.replace('_', ' ')}, not work: only work can be slung`);
  if (bead.status === 'closed') throw new CitadelError('refused', `${beadId} is closed: there is nothing left to do`);

  const wanted = request.polecat !== undefined ? validatePolecatName(localName(request.polecat, town.config.name)) : undefined;
  if (bead.assignee && wanted && bead.assignee !== wanted) {
    throw new CitadelError('conflict', `${beadId} is already claimed by ${bead.assignee}: \`citadel bead update ${beadId} --status open\` releases it, or sling another from \`citadel ready\``);
  }
  // On a remote host the agent is looked for there (`citadel host check`), not on this PATH.
  const host = request.host !== undefined ? requireHost(town, request.host) : undefined;
  ensureCitadelShim(town.paths.root);
  const env = polecatEnv(request.env, { town: town.paths.root, name: wanted ?? 'polecat', bead: beadId });
  const installed = (program: string): boolean => findExecutable(program, { cwd: town.paths.root, path: env.PATH }) !== undefined;
  const preset = request.argv?.length ? customPreset(request.argv) : getPreset(request.agent ?? defaultAgent(town.config.defaultAgent, host ? () => false : installed));
  const launch = launchFor(preset, beadPrompt(bead));
  if (!host && !findExecutable(launch.argv[0]!, { cwd: town.paths.root, path: env.PATH })) {
    throw new CitadelError('not_found', `the ${preset.name === 'custom' ? 'command' : `${preset.name} agent`} \`${launch.argv[0]}\` is not installed (not found on PATH): install it, or choose another with --agent ${preset.name === 'scripted' ? 'shell' : 'scripted'} or -- ARGV`);
  }

  // The daemon first: a daemon starting now recovers the polecats it finds in the journal, and
  // this one must not be among them before it is really asked for.
  const client = await connectDaemon();
  try {
    // Name, polecat record and claim in one mutation, under the journal's lock: slings running
    // at the same time get different polecats, and a bead goes to one of them only.
    const worktreesRoot = join(realpathSync(town.paths.root), '.citadel', 'worktrees');
    const { value: reserved } = await town.journal.mutate(
      reserve(town, { bead, wanted, worktreesRoot: host ? `${host.path}/worktrees` : worktreesRoot, agent: preset.name, argv: launch.argv, typeIn: launch.typeIn, host: host?.name }),
    );
    const name = reserved.polecat.name;
    let info: PaneInfo;
    let worktree: Awaited<ReturnType<typeof ensureWorktree>>;
    try {
      // A remote polecat's clone and worktree are made on its host, by the daemon's spawn.
      worktree = host
        ? { path: reserved.polecat.worktree, branch: reserved.polecat.branch!, reused: false, resumed: false }
        : await ensureWorktree(town.paths.root, name, beadId, { mainBranch: town.config.mainBranch });
      info = await client.request('spawn', { polecat: name });
      if (host) worktree = { ...worktree, path: getPolecat(town.journal.read(), name)?.worktree ?? worktree.path };
    } catch (error) {
      await town.journal.mutate(undoClaim(town, name, beadId, reserved.previous));
      throw error;
    }
    return {
      polecat: name,
      bead: beadId,
      agent: preset.name,
      argv: launch.argv,
      worktree: worktree.path,
      branch: worktree.branch,
      reused: worktree.reused,
      resumed: worktree.resumed,
      pid: info.pid ?? null,
    };
  } finally {
    client.close();
  }
}

/** A polecat with a live pty (or one being started) cannot take other work. */
function isBusy(polecat: Polecat): boolean {
  // `starting` without a pid is a sling in flight — or one that died mid-way, which must not block forever.
  return polecat.pid !== null || (polecat.status === 'starting' && Date.now() - Date.parse(polecat.updated_at) < 30_000);
}

/**
 * The polecat for a bead when none is named: the one that held it before (its branch is
 * there), else an idle one, else the first free name of the pool.
 */
function chooseName(polecats: Polecat[], bead: Bead): string {
  if (bead.assignee && polecats.some((p) => p.name === bead.assignee && !isBusy(p))) return bead.assignee;
  const previous = polecats.find((p) => !isBusy(p) && p.branch?.endsWith(`/${bead.id}`));
  if (previous) return previous.name;
  const idle = polecats.filter((p) => !isBusy(p) && p.bead === null).sort((a, b) => a.name.localeCompare(b.name));
  if (idle[0]) return idle[0].name;
  const taken = new Set(polecats.map((p) => p.name));
  const free = NAME_POOL.find((name) => !taken.has(name));
  if (free) return free;
  for (let n = 1; ; n++) if (!taken.has(`polecat-${n}`)) return `polecat-${n}`;
}

interface Reservation {
  bead: Bead;
  wanted: string | undefined;
  worktreesRoot: string;
  agent: string;
  argv: string[];
  typeIn: string | undefined;
  /** The remote host it runs on, if any. */
  host?: string | undefined;
}

/**
 * Chooses the polecat (unless named), checks it is free, records it as `starting` with the
 * bead, and claims the bead for it (the polecat is the actor): one mutation.
 */
function reserve(town: Town, input: Reservation): Mutator<{ polecat: Polecat; previous: Polecat | undefined }> {
  return (state) => {
    const beadId = input.bead.id;
    const bead = state.get('beads', beadId) as Bead | undefined;
    if (!bead || bead.status === 'closed') throw new CitadelError('refused', `${beadId} is ${bead ? 'closed' : 'gone'}: there is nothing left to do`);
    const name = input.wanted ?? chooseName(allPolecats(state), bead);
    const previous = getPolecat(state, name);
    if (previous && isBusy(previous)) {
      throw new CitadelError(
        'conflict',
        previous.bead === beadId
          ? `polecat ${name} is already working on ${beadId}`
          : `polecat ${name} is busy with ${previous.bead ?? 'its session'} (${previous.status}): pick another name, or \`citadel polecat kill ${name}\` first`,
      );
    }
    if (bead.assignee && bead.assignee !== name) {
      throw new CitadelError('conflict', `${beadId} is already claimed by ${bead.assignee}: \`citadel bead update ${beadId} --status open\` releases it, or sling another from \`citadel ready\``);
    }
    const now = new Date().toISOString();
    const { host: _previousHost, ...kept } = (previous ?? {}) as Partial<Polecat> & { host?: unknown };
    const polecat: Polecat = {
      ...kept,
      ...(input.host ? { host: input.host } : {}),
      id: name,
      name,
      bead: beadId,
      worktree: join(input.worktreesRoot, name),
      branch: polecatBranch(name, beadId),
      agent: input.agent,
      argv: input.argv,
      type_in: input.typeIn ?? null,
      status: 'starting',
      pid: null,
      exit_code: null,
      created_at: previous?.created_at ?? now,
      updated_at: now,
    };
    const tx = new BeadTransaction(state, modelContext(name, town.config.prefix));
    if (bead.assignee !== name) tx.claim(beadId);
    return { changes: [...tx.changes, putPolecat(polecat, 'sling', `${beadId} slung to ${name} (${input.agent})`)], value: { polecat, previous } };
  };
}

function undoClaim(town: Town, name: string, beadId: string, previous: Polecat | undefined): Mutator<void> {
  return (state) => {
    const tx = new BeadTransaction(state, modelContext(name, town.config.prefix));
    const bead = state.get('beads', beadId) as Bead | undefined;
    if (bead?.assignee === name && bead.status !== 'closed') tx.release(beadId);
    const polecat = getPolecat(state, name);
    const restored = previous ?? (polecat ? { ...polecat, bead: null, status: 'exited', pid: null } : undefined);
    const changes = [...tx.changes];
    if (restored) changes.push(putPolecat({ ...restored, updated_at: new Date().toISOString() }, 'sling-failed', `${name} could not be started`));
    return { changes, value: undefined };
  };
}

/** The host `--host NAME` names, or one sentence saying how to add it. */
function requireHost(town: Town, name: string): HostRecord {
  const host = getHost(town.journal.read(), validateHostName(name));
  if (!host) throw new CitadelError('not_found', `host ${name} not found (see \`citadel host list\`; \`citadel host add ${name} USER@HOST\` adds it)`);
  return host;
}
