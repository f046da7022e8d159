import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CitadelError } from '../common/errors.js';
import type { Entity, Mutator, StateView } from '../journal/types.js';
import type { Bead } from '../model/bead.js';
import { modelContext } from '../model/context.js';
import { BeadTransaction } from '../model/transaction.js';
import { releaseStep } from '../molecules/recovery.js';
import type { Town } from '../town/town.js';
import type { PaneRegistry } from './pane-registry.js';
import { allPolecats, getPolecat, putPolecat, type Polecat, type PolecatStatus } from '../model/polecat.js';
import { ensureCitadelShim, polecatEnv, shimDir } from './polecat-env.js';
import { echoTimeoutMs, pasteOf, settleMs } from '../agent-cli/typing.js';
import { customPreset, getPreset, presets, type Preset } from '../agent-cli/presets.js';
import { queriesOf } from '../journal/query-index.js';

/** Starts a polecat's job on its remote host; the pane to open for it here (src/remote). */
export interface RemoteLauncher {
  launch(polecat: Polecat, size: { cols?: number | undefined; rows?: number | undefined }): Promise<{ argv: string[]; cwd: string; env: NodeJS.ProcessEnv }>;
}

/** The daemon's actor in the journal. */
export const WITNESS = 'witness';

/**
 * Runs polecats from their journal entities: spawns their panes, records their pid and status,
 * and on an exit with the work unfinished gives the bead back to the ready queue and mails the
 * overseer (the worktree and branch stay). Also recovers polecats a crashed daemon left behind.
 */
export class PolecatRunner {
  /** Exits that are not the end of the work: a restart, or the daemon stopping. */
  private readonly expectedExits = new Set<string>();
  private stopping = false;
  /** The journal writes of the latest exit of each polecat, so `kill` can answer after them. */
  private readonly settling = new Map<string, Promise<void>>();
  /** Starts the polecats whose record names a host (src/remote, set by the daemon). */
  remote: RemoteLauncher | undefined;

  constructor(
    private readonly town: Town,
    private readonly panes: PaneRegistry,
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: (line: string) => void,
  ) {
    panes.onExit((id, exit) => {
      const settled = this.exited(id, exit.exitCode).catch((error: unknown) => this.log(`exit of ${id}: ${(error as Error).message}`));
      this.settling.set(id, settled);
    });
  }

  preset(polecat: Polecat): Preset {
    return Object.hasOwn(presets, polecat.agent) ? getPreset(polecat.agent) : customPreset(polecat.argv);
  }

  /** Starts (or restarts in place) the pane of polecat `name`, as its journal entity says. */
  async spawn(name: string, size: { cols?: number | undefined; rows?: number | undefined } = {}): Promise<void> {
    const polecat = getPolecat(this.town.journal.read(), name);
    if (!polecat) throw new CitadelError('not_found', `polecat ${name} not found (see \`citadel polecat list\`)`);
    // A polecat on a remote host (docs/remote.md): its job starts there, its pane is here.
    const remote = typeof polecat.host === 'string' ? await this.remote?.launch(polecat, size) : undefined;
    if (!remote && !existsSync(polecat.worktree)) throw new CitadelError('not_found', `polecat ${name}'s worktree ${polecat.worktree} is gone`);
    if (!remote) ensureCitadelShim(this.town.paths.root);
    const { argv, env } = remote ? { argv: remote.argv, env: {} } : await this.withHooks(polecat);
    const spec = {
      id: name,
      argv,
      cwd: remote?.cwd ?? polecat.worktree,
      env: remote?.env ?? polecatEnv(this.env, { town: this.town.paths.root, name, bead: polecat.bead }, env),
      polecat: name,
      bead: polecat.bead ?? undefined,
      branch: polecat.branch ?? undefined,
      worktree: remote?.cwd ?? polecat.worktree,
      agent: polecat.agent,
      ...(size.cols ? { cols: size.cols } : {}),
      ...(size.rows ? { rows: size.rows } : {}),
    };
    const before = this.panes.has(name) ? this.panes.spec(name).bead : undefined;
    const banner = polecat.bead && polecat.bead !== before ? `${polecat.bead} · ${polecat.agent}` : 'restarted';
    const pane = this.panes.has(name) && !this.panes.get(name).running ? await this.panes.restart(name, spec, banner) : this.panes.spawn(spec);
    await this.update(name, (current) => ({ ...withoutReleased(current), status: 'working', pid: pane.pid ?? null, exit_code: null }), 'start', `${name} started (${polecat.agent})`);
    if (polecat.type_in) this.typeIn(name, polecat.type_in);
  }

  /**
   * The polecat's argv and agent environment (docs/agents.md): its agent's status hooks
   * installed (Claude Code's and Codex's hook files in the worktree, git-excluded; Gemini CLI's
   * system defaults; opencode's plugin), its self-update switched off unless config
   * `agentSelfUpdate`, and — when the user opted in with `citadel agent setup` — the worktree
   * trusted. Done at every pane start, since a restart or a reused worktree may have lost them.
   * None of it ever blocks the launch: a failure is logged and the agent is watched by its screen.
   */
  private async withHooks(polecat: Polecat): Promise<{ argv: string[]; env: Record<string, string> }> {
    const { launchWithHooks, prepareTrust } = await import('../agent-cli/index.js');
    const warn = (message: string): void => this.log(`${polecat.name}: ${message}`);
    const selfUpdate = this.town.config.agentSelfUpdate;
    // Hooks call the shim by its path: an agent's login shell may have reset the PATH (Codex's does).
    const citadel = [join(shimDir(this.town.paths.root), 'citadel')];
    const launched = await launchWithHooks(polecat.worktree, polecat.agent, polecat.argv, { warn, selfUpdate, citadel, runDir: this.town.paths.run, baseEnv: this.env });
    const preset = this.preset(polecat);
    const trust = await prepareTrust(this.town.paths.citadel, polecat.agent, polecat.worktree, this.env).catch((error: unknown) => {
      warn(`could not trust the worktree for ${polecat.agent}: ${(error as Error).message}`);
      return {};
    });
    return { argv: launched.argv, env: { ...(selfUpdate ? {} : (preset.noSelfUpdate ?? {})), ...launched.env, ...trust } };
  }

  /** Resolves once the last exit of `name` is recorded in the journal. */
  async settled(name: string): Promise<void> {
    await this.settling.get(name);
  }

  /**
   * Ends and starts polecat `name` again in its worktree, keeping its bead. A polecat whose exit
   * (or loss) gave its unfinished bead back to ready takes it again, if nobody else claimed it
   * meanwhile and it is not closed: its title bar and `polecat list` show the bead, and the agent
   * gets `CITADEL_BEAD` as before.
   */
  async restart(name: string): Promise<void> {
    if (this.panes.has(name) && this.panes.get(name).running) {
      this.expectedExits.add(name);
      await this.panes.kill(name);
    }
    await this.town.journal.mutate((state) => {
      const polecat = getPolecat(state, name);
      const released = polecat && polecat.bead === null ? releasedBead(polecat) : undefined;
      if (!polecat || !released) return { changes: [], value: undefined };
      const bead = state.get('beads', released) as Bead | undefined;
      const { released_bead: _dropped, ...rest } = polecat as Polecat & { released_bead?: unknown };
      if (!bead || bead.status === 'closed' || (bead.assignee && bead.assignee !== name)) {
        // Taken by another polecat, or done: the restart goes ahead without it.
        return { changes: [putPolecat({ ...rest, updated_at: new Date().toISOString() }, 'restart', `${name} restarted without ${released} (${bead?.status === 'closed' ? 'closed' : `claimed by ${bead?.assignee ?? '?'}`})`)], value: undefined };
      }
      const tx = new BeadTransaction(state, modelContext(name, this.town.config.prefix));
      if (bead.assignee !== name) tx.claim(released);
      return { changes: [...tx.changes, putPolecat({ ...rest, bead: released, updated_at: new Date().toISOString() }, 'restart', `${name} restarted on ${released}`)], value: undefined };
    });
    await this.spawn(name);
  }

  /**
   * The daemon is stopping: its polecats' ptys end with it. They are recorded as lost with
   * their beads kept, so the next start brings them back as after a crash (docs/daemon.md).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.panes.dispose();
    for (const polecat of allPolecats(this.town.journal.read())) {
      if (polecat.pid === null && polecat.status !== 'starting') continue;
      await this.update(polecat.name, (p) => ({ ...p, status: 'lost', pid: null }), 'lost', `${polecat.name} stopped with the daemon`);
    }
  }

  /**
   * Types the prompt once the agent has drawn its screen and gone quiet (or after 10 s): the
   * text as a paste (bracketed where the agent enabled it), then Enter in a write of its own
   * once the agent echoed it (or after 1 s) — as `citadel nudge` does (polecat-actions.ts).
   */
  private typeIn(name: string, text: string): void {
    const started = Date.now();
    const timer = setInterval(() => {
      if (!this.panes.has(name)) return clearInterval(timer);
      const pane = this.panes.get(name);
      if (!pane.running) return clearInterval(timer);
      const quiet = Date.now() - pane.lastOutputAt;
      if ((quiet > 700 && pane.screen.text().trim() !== '') || Date.now() - started > 10_000) {
        clearInterval(timer);
        pane.input(pasteOf(text, pane.screen.modes().bracketedPaste));
        const pasted = pane.lastOutputAt;
        const sent = Date.now();
        const enter = setInterval(() => {
          if (!pane.running) return clearInterval(enter);
          if (pane.lastOutputAt !== pasted || Date.now() - sent > echoTimeoutMs) {
            clearInterval(enter);
            pane.input('\r');
          }
        }, settleMs);
      }
    }, 100);
  }

  /** Writes a new version of polecat `name` (nothing when unchanged). */
  async update(name: string, change: (current: Polecat) => Polecat, action: string, summary?: string): Promise<void> {
    await this.town.journal.mutate((state) => {
      const current = getPolecat(state, name);
      if (!current) return { changes: [], value: undefined };
      const next = { ...change(current) };
      if (JSON.stringify(next) === JSON.stringify(current)) return { changes: [], value: undefined };
      return { changes: [putPolecat({ ...next, updated_at: new Date().toISOString() }, action, summary)], value: undefined };
    });
  }

  /** The program of polecat `id` exited: record it, and hand unfinished work back. */
  private async exited(id: string, exitCode: number | null): Promise<void> {
    if (this.stopping || this.expectedExits.delete(id)) return;
    if (!getPolecat(this.town.journal.read(), id)) return;
    const code = exitCode === null ? 'a signal' : `code ${exitCode}`;
    await this.town.journal.mutate(this.settle(id, 'exited', exitCode, `${id} exited (${code})`, `polecat ${id} exited with ${code}`));
  }

  /**
   * Marks a polecat exited or lost; when it still held unfinished work, the bead goes back to
   * ready and the overseer is told — in the same mutation, so nothing is half-written. A
   * molecule step is released through the molecules' recovery, so its `releases` list says why
   * (`reason`, default `polecat NAME: SUMMARY`) in `citadel molecule status`.
   */
  settle(name: string, status: PolecatStatus, exitCode: number | null, summary: string, reason = `polecat ${summary}`): Mutator<boolean> {
    return (state) => {
      const polecat = getPolecat(state, name);
      if (!polecat) return { changes: [], value: false };
      const unfinished = polecat.bead ? isUnfinished(state, polecat.bead, name) : false;
      const now = new Date().toISOString();
      // The bead it gave back is remembered, so `polecat restart` takes it again (restart above).
      const next: Polecat = {
        ...polecat,
        status,
        pid: null,
        exit_code: exitCode,
        bead: unfinished ? null : polecat.bead,
        ...(unfinished && polecat.bead ? { released_bead: polecat.bead } : {}),
        updated_at: now,
      };
      const changes = [putPolecat(next, status, summary)];
      if (unfinished && polecat.bead) {
        const context = modelContext(WITNESS, this.town.config.prefix);
        const held = state.get('beads', polecat.bead) as Bead | undefined;
        if (held?.type === 'step') changes.push(...releaseStep(polecat.bead, reason, context)(state).changes);
        // The mail's transaction never touches the bead: its changes and the release's compose.
        const tx = new BeadTransaction(state, context);
        if (held?.type !== 'step') tx.release(polecat.bead);
        tx.sendMail({
          to: 'overseer',
          subject: `${name} ${status === 'lost' ? 'was lost' : 'exited'} with ${polecat.bead} unfinished`,
          body:
            `${summary}. ${polecat.bead} is back on the ready queue.\n` +
            `Its work stays in ${polecat.worktree} on branch ${polecat.branch ?? '(none)'}: ` +
            `\`citadel sling ${polecat.bead} --polecat ${name}\` resumes it there.`,
        });
        changes.push(...tx.changes);
      }
      return { changes, value: unfinished };
    };
  }

  /**
   * After a crash: every polecat the journal says was running has lost its pty. Leftover
   * processes are ended, each is marked lost, then restarted in its worktree or (config
   * `onLostPolecat: "ready"`) its bead goes back to ready.
   */
  async recover(): Promise<string[]> {
    const live = allPolecats(this.town.journal.read()).filter(
      (p) => p.status !== 'exited' && (p.pid !== null || (p.status === 'lost' && p.bead !== null)),
    );
    const recovered: string[] = [];
    for (const polecat of live) {
      if (polecat.pid) endLeftover(polecat.pid, this.town.paths.root, polecat.name);
      const restart = this.town.config.onLostPolecat === 'restart' && polecat.bead !== null && (existsSync(polecat.worktree) || typeof polecat.host === 'string');
      if (restart) {
        await this.update(polecat.name, (p) => ({ ...p, status: 'lost', pid: null }), 'lost', `${polecat.name}'s pty was lost with the daemon; restarting it`);
        try {
          await this.spawn(polecat.name);
          recovered.push(polecat.name);
        } catch (error) {
          this.log(`could not restart ${polecat.name}: ${(error as Error).message}`);
          await this.town.journal.mutate(this.settle(polecat.name, 'lost', null, `${polecat.name} could not be restarted`));
        }
      } else {
        await this.town.journal.mutate(this.settle(polecat.name, 'lost', null, `${polecat.name}'s pty was lost with the daemon`));
      }
    }
    return recovered;
  }
}

/** The bead a polecat's exit gave back to ready (`released_bead`), if any. */
function releasedBead(polecat: Polecat): string | undefined {
  const value = (polecat as Polecat & { released_bead?: unknown }).released_bead;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A polecat that holds a bead again forgets the one it once gave back. */
function withoutReleased(polecat: Polecat): Polecat {
  if (polecat.bead === null || !('released_bead' in polecat)) return polecat;
  const { released_bead: _dropped, ...rest } = polecat as Polecat & { released_bead?: unknown };
  return rest;
}

/** Whether polecat `name` still owes work on `beadId`: claimed by it, open, and not submitted. */
export function isUnfinished(state: StateView, beadId: string, name: string): boolean {
  const bead = state.get('beads', beadId) as Bead | undefined;
  if (!bead || bead.status === 'closed' || bead.assignee !== name) return false;
  const beads = state.all('beads');
  // Through the query index, the requests filed for this bead (one seek); else every bead.
  const queries = queriesOf(beads);
  for (const entity of queries ? queries.iterate({ fields: { type: 'merge_request', bead: beadId } }) : beads.values()) {
    const mr = entity as Entity & Partial<Bead>;
    if (mr.type === 'merge_request' && mr.bead === beadId && mr.state !== 'rejected') return false;
  }
  return true;
}

/**
 * Ends a process a dead daemon left running, only if it is really that polecat (its
 * environment names the town and the polecat: a pid may have been reused). node-pty makes
 * each program a session leader, so its whole process group goes.
 */
export function endLeftover(pid: number, town: string, name: string): boolean {
  let environ: string;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return false;
  }
  const vars = new Set(environ.split('\0'));
  if (!vars.has(`CITADEL_TOWN=${town}`) || !vars.has(`CITADEL_POLECAT=${name}`)) return false;
  for (const signal of ['SIGHUP', 'SIGKILL'] as const) {
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        return true;
      }
    }
  }
  return true;
}
