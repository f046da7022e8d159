import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { customPreset, getPreset, presets } from '../agent-cli/presets.js';
import { ensureCitadelShim, shimDir } from '../daemon/polecat-env.js';
import { gitRun } from '../git/run.js';
import { getPolecat, putPolecat, type Polecat } from '../model/polecat.js';
import { modelContext } from '../model/context.js';
import type { Bead } from '../model/bead.js';
import { fileMergeRequest } from '../refinery/submit.js';
import type { Pty, PtySpawnOptions, SpawnPty } from '../pty/pty.js';
import type { Town } from '../town/town.js';
import { allHosts, getHost, putHost, type HostRecord, type HostState } from './hosts.js';
import { HostLink } from './link.js';
import { FORWARDED } from './shim.js';
import { townId } from './ssh.js';
import type { JobInfo, JobSpec } from './wire.js';

/** Marks a pane spec's environment as a remote one (the spawn wrapper below reads it). */
const HOST_VAR = 'CITADEL_HOST';
const PID_VAR = 'CITADEL_REMOTE_PID';
/** What a forwarded command may print (it is carried over ssh and shown in the agent's pane). */
const FORWARD_OUTPUT = 1024 * 1024;
/** The most of main sent over the channel as a bundle (base64 keeps it under the 16 MiB line). */
const MAX_BUNDLE = 12 * 1024 * 1024;

/** The remote polecat's pane: what the daemon's pane registry starts (polecat-runner.ts). */
export interface RemoteLaunch {
  argv: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/**
 * The home daemon's remote hosts (docs/remote.md): one `HostLink` per host in use; starts a
 * polecat's job on its host and gives the daemon a `Pty` for it; answers the agents' calls
 * (done, forwarded commands) — only for the polecat and bead each host was given; and writes
 * each host's connection state to its journal record when it changes.
 */
export class RemoteHosts {
  private readonly links = new Map<string, HostLink>();
  private readonly id: string;
  private stateWrites: Promise<void> = Promise.resolve();

  constructor(
    private readonly town: Town,
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: (line: string) => void,
  ) {
    this.id = townId(town.paths.root);
  }

  /** The daemon's SpawnPty, with remote panes (their env names a host) handed to their link. */
  wrapSpawn(local: SpawnPty): SpawnPty {
    return (argv: readonly string[], options: PtySpawnOptions): Pty => {
      const host = options.env[HOST_VAR];
      const polecat = options.env.CITADEL_POLECAT;
      // Remote only when the journal says so too: a CITADEL_HOST inherited from the user's shell is not a host.
      if (!host || !polecat || getPolecat(this.town.journal.read(), polecat)?.host !== host) return local(argv, options);
      const link = this.links.get(host);
      if (!link) throw new CitadelError('failed', `host ${host} is not connected`);
      return link.attach(polecat, Number(options.env[PID_VAR]) || 0, options.cols, options.rows);
    };
  }

  /**
   * Starts polecat `polecat` on its host (its clone and worktree made there first) and returns
   * the pane to open for it. A job still running there for the same bead (a daemon that
   * restarted) is attached again rather than started twice.
   */
  async launch(polecat: Polecat, size: { cols?: number | undefined; rows?: number | undefined }): Promise<RemoteLaunch> {
    const state = this.town.journal.read();
    const hostName = String(polecat.host);
    const host = getHost(state, hostName);
    if (!host) throw new CitadelError('not_found', `polecat ${polecat.name} runs on host ${hostName}, which is not in this town (citadel host list)`);
    if (!polecat.bead || !polecat.branch) throw new CitadelError('refused', `polecat ${polecat.name} holds no bead: nothing to run on ${hostName}`);
    const bead = state.get('beads', polecat.bead) as Bead | undefined;
    if (!bead) throw new CitadelError('not_found', `bead ${polecat.bead} not found`);
    const root = this.town.paths.root;
    const main = this.town.config.mainBranch;
    const mainHead = (await gitRun(root, ['rev-parse', '--verify', `refs/heads/${main}^{commit}`])).stdout.trim();
    if (!mainHead) throw new CitadelError('not_found', `branch ${main} not found (config "mainBranch")`);
    const remote = await this.sharedRemote(host);
    const { gatesTrusted } = await import('../town/trust.js');
    const { readTrust } = await import('../town/trust-store.js');
    const untrusted = gatesTrusted(readTrust(root, this.env), this.town.config.gates);
    const preset = Object.hasOwn(presets, polecat.agent) ? getPreset(polecat.agent) : customPreset([...polecat.argv]);
    const passed: Record<string, string> = {};
    for (const [key, value] of Object.entries(this.env)) if (key.startsWith('CITADEL_SCRIPTED_') && value !== undefined) passed[key] = value;
    const spec: JobSpec = {
      id: polecat.name,
      bead: polecat.bead,
      beadRecord: bead as unknown as Record<string, unknown>,
      branch: polecat.branch,
      mainBranch: main,
      mainHead,
      remote,
      argv: [...polecat.argv],
      env: {
        ...passed,
        ...(this.town.config.agentSelfUpdate ? {} : (preset.noSelfUpdate ?? {})),
        CITADEL_POLECAT: polecat.name,
        CITADEL_ACTOR: polecat.name,
        CITADEL_BEAD: polecat.bead,
        CITADEL_HOST: hostName,
        COLORTERM: 'truecolor',
      },
      gates: untrusted ? [] : this.town.config.gates,
      cols: size.cols ?? 120,
      rows: size.rows ?? 36,
    };
    const link = this.link(host);
    await link.ready();
    // Home's main reaches the host through the shared remote, or else as a bundle over the channel.
    const clone = await link.request<{ has: boolean; remoteMain: string | null }>('clone', { remote, mainBranch: main, mainHead });
    if (!clone.has) await link.request('bundle', { data: await this.mainBundle(main, clone.remoteMain), mainBranch: main, mainHead });
    const job = await link.request<JobInfo>('start', spec);
    if (job.worktree !== polecat.worktree) {
      await this.town.journal.mutate((s) => {
        const current = getPolecat(s, polecat.name);
        if (!current || current.worktree === job.worktree) return { changes: [], value: undefined };
        return { changes: [putPolecat({ ...current, worktree: job.worktree, updated_at: new Date().toISOString() }, 'worktree', `${polecat.name}'s worktree on ${hostName}: ${job.worktree}`)], value: undefined };
      });
    }
    return {
      argv: [...polecat.argv],
      cwd: job.worktree,
      env: { ...spec.env, [HOST_VAR]: hostName, [PID_VAR]: String(job.pid ?? 0) },
    };
  }

  /**
   * Home's main as a git bundle (base64) holding what the shared remote's main lacks (all of
   * it when that main is unknown here). At most 12 MiB: more goes through the shared remote.
   */
  private async mainBundle(main: string, remoteMain: string | null): Promise<string> {
    const root = this.town.paths.root;
    const known = remoteMain !== null && /^[0-9a-f]{40,64}$/.test(remoteMain) && (await gitRun(root, ['cat-file', '-e', `${remoteMain}^{commit}`])).code === 0;
    const file = join(this.town.paths.run, `main-${process.pid}-${Date.now()}.bundle`);
    try {
      const made = await gitRun(root, ['bundle', 'create', '--quiet', file, `refs/heads/${main}`, ...(known ? [`^${remoteMain}`] : [])]);
      if (made.code !== 0) throw new CitadelError('failed', `could not bundle ${main} for the host: ${made.stderr.trim().split('\n').slice(-1)[0] ?? ''}`);
      const data = readFileSync(file);
      if (data.length > MAX_BUNDLE) {
        throw new CitadelError('refused', `the host lacks ${(data.length / 1048576).toFixed(1)} MB of ${main}, more than the 12 MiB citadel sends over ssh: push ${main} to the shared remote (git push origin ${main}), then sling again`);
      }
      return data.toString('base64');
    } finally {
      rmSync(file, { force: true });
    }
  }

  /** The live state of each host this daemon has connected (for status). */
  states(): Array<{ name: string; state: HostState; problem: string | null; keeperPid: number | undefined; sshPid: number | undefined }> {
    return [...this.links.values()].map((link) => ({ name: link.name, state: link.state, problem: link.problem, keeperPid: link.keeperPid, sshPid: link.sshPid }));
  }

  /** Closes every connection (the keepers keep what still runs on their hosts). */
  async stop(): Promise<void> {
    for (const link of this.links.values()) link.close();
    await this.stateWrites;
  }

  /** Host records left `up` by a daemon that died are marked as not connected. */
  async start(): Promise<void> {
    const stale = allHosts(this.town.journal.read()).filter((host) => host.state === 'up' || host.state === 'connecting' || host.state === 'reconnecting');
    for (const host of stale) this.recordState(host.name, 'down', 'the daemon that held the connection stopped');
    await this.stateWrites;
  }

  private link(host: HostRecord): HostLink {
    let link = this.links.get(host.name);
    if (link) {
      link.update(host);
      return link;
    }
    link = new HostLink(host, this.id, {
      log: this.log,
      env: this.env,
      state: (name, state, problem) => this.recordState(name, state, problem),
      call: (name, polecat, verb, args) => this.call(name, polecat, verb, args),
    });
    this.links.set(host.name, link);
    return link;
  }

  /** The shared git remote the host clones from and pushes to: its own, else the town's origin. */
  private async sharedRemote(host: HostRecord): Promise<string> {
    if (host.remote) return host.remote;
    const origin = await gitRun(this.town.paths.root, ['remote', 'get-url', 'origin']);
    const url = origin.stdout.trim();
    if (origin.code !== 0 || !url) {
      throw new CitadelError(
        'refused',
        `host ${host.name} needs a shared git remote to clone from and push its branches to: the town has no origin; add one (git remote add origin URL) or give the host one (citadel host add ${host.name} ${host.destination} --remote URL)`,
      );
    }
    return url;
  }

  private recordState(name: string, state: HostState, problem: string | null): void {
    this.stateWrites = this.stateWrites
      .then(() =>
        this.town.journal.mutate((s) => {
          const host = getHost(s, name);
          if (!host || (host.state === state && host.problem === problem)) return { changes: [], value: undefined };
          const next: HostRecord = { ...host, state, problem, updated_at: new Date().toISOString() };
          return { changes: [putHost(next, 'state', `host ${name} ${state}${problem ? `: ${problem}` : ''}`)], value: undefined };
        }),
      )
      .then(
        () => undefined,
        (error: unknown) => this.log(`host ${name}: could not record its state: ${(error as Error).message}`),
      );
  }

  /**
   * An agent's call from host `hostName`. The host acts only on what it was given: the
   * polecat must be one this town runs on that host, `done` only for its own bead and branch.
   */
  private async call(hostName: string, name: string, verb: 'done' | 'cli', args: Record<string, unknown>): Promise<unknown> {
    const polecat = getPolecat(this.town.journal.read(), name);
    if (!polecat || polecat.host !== hostName) throw new CitadelError('refused', `polecat ${JSON.stringify(name)} does not run on host ${hostName}`);
    if (verb === 'done') return this.done(hostName, polecat, args);
    if (verb === 'cli') return this.forward(polecat, args);
    throw new CitadelError('invalid', `unknown call ${JSON.stringify(verb)}`);
  }

  /** `citadel done` on the host: the branch is on the shared remote; fetch it and file the merge request. */
  private async done(hostName: string, polecat: Polecat, args: Record<string, unknown>): Promise<unknown> {
    const { branch, head, bead, message } = args;
    if (branch !== polecat.branch || typeof branch !== 'string') throw new CitadelError('refused', `host ${hostName} may submit only ${polecat.branch ?? 'its polecat\'s branch'}`);
    if (bead !== polecat.bead || typeof bead !== 'string') throw new CitadelError('refused', `host ${hostName} was given ${polecat.bead ?? 'no bead'}, not ${String(bead)}`);
    if (typeof head !== 'string' || !/^[0-9a-f]{40,64}$/.test(head)) throw new CitadelError('invalid', 'done needs the branch head');
    if (message !== undefined && typeof message !== 'string') throw new CitadelError('invalid', 'done: the message must be text');
    const host = getHost(this.town.journal.read(), hostName)!;
    const root = this.town.paths.root;
    const remote = await this.sharedRemote(host);
    const fetched = await gitRun(root, ['fetch', '--quiet', '--', remote, `+refs/heads/${branch}:refs/heads/${branch}`]);
    if (fetched.code !== 0) throw new CitadelError('failed', `could not fetch ${branch} from ${remote}: ${fetched.stderr.trim().split('\n').slice(-2).join(' / ')}`);
    const tip = (await gitRun(root, ['rev-parse', '--verify', `refs/heads/${branch}^{commit}`])).stdout.trim();
    if (tip !== head) throw new CitadelError('conflict', `${branch} on ${remote} is at ${tip.slice(0, 10)}, not the ${head.slice(0, 10)} the host submitted: run citadel done again`);
    const main = this.town.config.mainBranch;
    const commits = Number((await gitRun(root, ['rev-list', '--count', `refs/heads/${main}..${head}`])).stdout.trim()) || 0;
    if (commits === 0) throw new CitadelError('refused', `no new commits on ${branch} compared with ${main}`);
    const { value } = await this.town.journal.mutate(
      fileMergeRequest(modelContext(polecat.name, this.town.config.prefix), {
        submission: { worktree: `${hostName}:${polecat.worktree}`, branch, commits, head },
        polecat: polecat.name,
        bead,
        message,
      }),
    );
    this.log(`host ${hostName}: ${polecat.name} submitted ${branch} as ${value.request.id}`);
    return { id: value.request.id, created: value.created, state: value.request.state ?? 'queued' };
  }

  /** prime, hook, mail: run at home as the polecat (the town's own citadel), output carried back. */
  private forward(polecat: Polecat, args: Record<string, unknown>): Promise<unknown> {
    const argv = args.argv;
    if (!Array.isArray(argv) || argv.length === 0 || argv.length > 64 || !argv.every((arg) => typeof arg === 'string' && arg.length < 65_536)) {
      return Promise.reject(new CitadelError('invalid', 'a forwarded command is a list of strings'));
    }
    if (!(FORWARDED as readonly string[]).includes(argv[0] as string)) {
      return Promise.reject(new CitadelError('refused', `a remote host may run only ${FORWARDED.join(', ')} at home, not ${JSON.stringify(argv[0])}`));
    }
    const root = this.town.paths.root;
    ensureCitadelShim(root);
    const env: NodeJS.ProcessEnv = { ...this.env, CITADEL_TOWN: root, CITADEL_ACTOR: polecat.name, CITADEL_POLECAT: polecat.name, CITADEL_BEAD: polecat.bead ?? '' };
    return new Promise((resolve) => {
      execFile(join(shimDir(root), 'citadel'), argv as string[], { cwd: root, env, timeout: 60_000, maxBuffer: FORWARD_OUTPUT }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout).slice(0, FORWARD_OUTPUT), stderr: String(stderr).slice(0, FORWARD_OUTPUT) || (error && typeof error.code !== 'number' ? `${error.message}\n` : '') });
      });
    });
  }
}
