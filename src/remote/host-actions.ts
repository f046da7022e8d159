import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { CitadelError } from '../common/errors.js';
import { isAlive } from '../common/process.js';
import { readDaemonRecord } from '../daemon/runtime-dir.js';
import { presets } from '../agent-cli/presets.js';
import { allPolecats } from '../model/polecat.js';
import type { Town } from '../town/town.js';
import { allHosts, DEFAULT_HOST_PATH, getHost, HOST_KIND, putHost, type HostRecord } from './hosts.js';
import { parseDestination, shellQuote, validateHostName, validateRemoteCommand } from './names.js';
import { sshArgv } from './ssh.js';

export interface AddHostOptions {
  citadel?: string | undefined;
  sshConfig?: string | undefined;
  remote?: string | undefined;
  cwd: string;
}

/** `citadel host add NAME USER@HOST[:PATH]`: one journal record; nothing is contacted yet. */
export async function addHost(town: Town, name: string, where: string, options: AddHostOptions): Promise<HostRecord> {
  validateHostName(name);
  const { destination, path } = parseDestination(where);
  const citadel = validateRemoteCommand(options.citadel ?? 'citadel');
  let sshConfig: string | null = null;
  if (options.sshConfig !== undefined) {
    sshConfig = resolve(options.cwd, options.sshConfig);
    if (!existsSync(sshConfig)) throw new CitadelError('not_found', `--ssh-config ${sshConfig}: no such file`);
  }
  const remote = options.remote ?? null;
  if (remote !== null && (remote === '' || remote.startsWith('-') || /[\x00-\x1f\x7f]/.test(remote))) throw new CitadelError('invalid', `invalid --remote ${JSON.stringify(remote)}: a git URL or path`);
  const { value } = await town.journal.mutate((state) => {
    if (getHost(state, name)) throw new CitadelError('conflict', `host ${name} exists already: \`citadel host rm ${name}\` first to change it`);
    const now = new Date().toISOString();
    const host: HostRecord = {
      id: name,
      name,
      destination,
      path: path ?? DEFAULT_HOST_PATH,
      citadel,
      ssh_config: sshConfig,
      remote,
      state: 'unused',
      problem: null,
      created_at: now,
      updated_at: now,
    };
    return { changes: [putHost(host, 'add', `host ${name} added (${destination})`)], value: host };
  });
  return value;
}

export interface HostRow {
  name: string;
  destination: string;
  path: string;
  state: string;
  problem: string | null;
  polecats: string[];
}

export function listHosts(town: Town): HostRow[] {
  const state = town.journal.read();
  const polecats = allPolecats(state);
  // A connection lives in the daemon: with none running, a recorded `up` is from a daemon that died.
  const record = readDaemonRecord(town.paths.root);
  const daemon = record !== undefined && isAlive(record.pid);
  const live = new Set(['up', 'connecting', 'reconnecting']);
  return allHosts(state).map((host) => ({
    name: host.name,
    destination: host.destination,
    path: host.path,
    state: !daemon && live.has(host.state) ? 'down' : host.state,
    problem: host.problem,
    polecats: polecats.filter((p) => p.host === host.name && p.bead !== null).map((p) => p.name),
  }));
}

/** `citadel host rm NAME`: refused while a polecat holds work there. */
export async function removeHost(town: Town, name: string): Promise<void> {
  validateHostName(name);
  await town.journal.mutate((state) => {
    if (!getHost(state, name)) throw new CitadelError('not_found', `host ${name} not found (see \`citadel host list\`)`);
    const busy = allPolecats(state).filter((p) => p.host === name && (p.pid !== null || p.bead !== null));
    if (busy.length) throw new CitadelError('refused', `${busy.map((p) => p.name).join(', ')} ${busy.length === 1 ? 'works' : 'work'} on host ${name}: \`citadel polecat kill ${busy[0]!.name}\` first`);
    return { changes: [{ kind: HOST_KIND, id: name, entity: null, action: 'remove', summary: `host ${name} removed` }], value: undefined };
  });
}

export interface HostCheck {
  name: string;
  destination: string;
  reachable: boolean;
  problem: string | null;
  git: string | null;
  node: string | null;
  citadel: string | null;
  /** Agents found on the host's PATH (the scripted agent is citadel's own). */
  agents: Record<string, boolean>;
  missing: string[];
}

/**
 * `citadel host check NAME`: logs in with the user's ssh (BatchMode) and asks the host's shell
 * what is there: git, node (20 or newer), citadel, and each agent's program.
 */
export async function checkHost(town: Town, name: string, env: NodeJS.ProcessEnv): Promise<HostCheck> {
  const host = getHost(town.journal.read(), validateHostName(name));
  if (!host) throw new CitadelError('not_found', `host ${name} not found (see \`citadel host list\`)`);
  const agents = [...new Set(Object.values(presets).map((preset) => preset.argv[0]!).filter((program) => program !== 'citadel' && !program.startsWith('$')))];
  const script = [
    'echo "git=$(git --version 2>/dev/null)"',
    'echo "node=$(node --version 2>/dev/null)"',
    `echo "citadel=$(${shellQuote(host.citadel)} --version 2>/dev/null)"`,
    `for a in ${agents.map(shellQuote).join(' ')}; do if command -v "$a" >/dev/null 2>&1; then echo "agent=$a=1"; else echo "agent=$a=0"; fi; done`,
  ].join('; ');
  const argv = sshArgv(host, ['sh', '-c', script]);
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(argv[0]!, argv.slice(1), { env, timeout: 30_000, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 255) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
  const values = new Map<string, string>();
  const found: Record<string, boolean> = {};
  for (const line of result.stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq === -1) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).trim();
    if (key === 'agent') {
      const [program, present] = [value.slice(0, value.lastIndexOf('=')), value.slice(value.lastIndexOf('=') + 1)];
      found[program] = present === '1';
    } else values.set(key, value);
  }
  const reachable = result.code === 0 && values.has('git');
  const version = (key: string): string | null => values.get(key) || null;
  const node = version('node');
  const nodeMajor = node ? Number(/^v(\d+)/.exec(node)?.[1]) : 0;
  const missing: string[] = [];
  if (reachable) {
    if (!version('git')) missing.push('git');
    if (!node) missing.push('node');
    else if (nodeMajor < 20) missing.push(`node 20 or newer (the host has ${node})`);
    if (!version('citadel')) missing.push(`citadel (${host.citadel} did not run: install it, or give its path with host add --citadel)`);
    // The town's default agent is the one a sling without --agent sends there.
    const preferred = town.config.defaultAgent;
    const program = preferred && Object.hasOwn(presets, preferred) ? presets[preferred]!.argv[0]! : undefined;
    if (program && found[program] === false) missing.push(`${program} (the town's defaultAgent)`);
  }
  return {
    name,
    destination: host.destination,
    reachable,
    problem: reachable ? null : result.stderr.trim().split('\n').slice(-2).join(' / ') || `ssh exited with code ${result.code}`,
    git: version('git'),
    node,
    citadel: version('citadel'),
    agents: found,
    missing,
  };
}
