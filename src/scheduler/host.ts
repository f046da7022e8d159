import { gitLines } from '../git/run.js';
import { realpathSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { Bead } from '../model/bead.js';
import { deferredUntil, isPinned } from '../model/schedule.js';
import { findExecutable } from '../pty/executable.js';
import type { Town } from '../town/town.js';
import { ensureWorktree } from '../git/worktree.js';
import { allPolecats, getPolecat } from '../model/polecat.js';
import { ensureCitadelShim, polecatEnv } from '../daemon/polecat-env.js';
import { beadPrompt, customPreset, defaultAgent, getPreset, launchFor } from '../agent-cli/presets.js';
import { NAME_POOL } from '../polecats/sling.js';
import { plan, type Decision, type Plan } from './plan.js';
import { planAgents, planMax, planPolecat } from './inputs.js';
import { SkillBook } from './skills.js';
import { readScheduler } from './state.js';
import { take, undoTake, type Launch } from './take.js';

export interface SchedulerHostOptions {
  readonly town: Town;
  /** The environment polecats inherit (for the PATH check of an agent). */
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
  /** Starts polecat `name`'s pane as its journal entity says (the daemon's runner). */
  readonly spawn: (name: string) => Promise<void>;
  /** Whether a polecat has a pane in this daemon. */
  readonly hasPane: (name: string) => boolean;
  /** Epoch ms (src/scheduler/clock.ts). */
  readonly clock: () => number;
  /**
   * How often to look without a journal change (default 1 s). A change to the journal wakes it
   * at once (inotify, 10 ms debounce), so a bead that becomes ready is taken within 1 s.
   */
  readonly intervalMs?: number;
}

/** Backoff of a failed start: 2 s, doubling, at most a minute. */
const failureBackoff = (failures: number): number => Math.min(60_000, 2000 * 2 ** Math.max(0, failures - 1));

/**
 * The scheduler in the daemon (docs/scheduler.md): while the journal's scheduler entity says
 * `running`, every tick it computes the pure plan (plan.ts) and carries each decision out —
 * one journal mutation (take.ts), then the worktree and the pane. Paused, it takes nothing;
 * running polecats finish. A start that fails is undone and that bead backs off.
 */
export class SchedulerHost {
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private readonly book = new SkillBook();
  private readonly notBefore = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  /** Pinned beads: restarts in a row, for the backoff. */
  private readonly pinnedRestarts = new Map<string, { count: number; at: number }>();
  /** Pinned beads whose exit has been seen and whose restart waits out its backoff. */
  private readonly pinnedWaiting = new Set<string>();
  private readonly warned = new Set<string>();
  private lastPlan: Plan | undefined;
  private pathsInFlight = false;
  private plannedSeq = -1;
  /** When the plan must be made again without a journal change: a deferred bead or a backoff comes due. */
  private dueAt = 0;
  private watcher: FSWatcher | undefined;
  private woken: NodeJS.Timeout | undefined;
  private again = false;
  private lastError: string | undefined;

  constructor(private readonly options: SchedulerHostOptions) {}

  /** Finishes the starts a killed daemon left half-done, then looks every interval. */
  async start(): Promise<void> {
    await this.resumeStarts();
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs ?? 1000);
    try {
      this.watcher = watch(this.options.town.paths.journal, () => {
        this.woken ??= setTimeout(() => {
          this.woken = undefined;
          void this.tick();
        }, 10);
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      // No inotify: the interval alone (a ready bead then waits up to one interval).
    }
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.woken);
    this.watcher?.close();
    this.timer = undefined;
  }

  /** For `daemon status`: running or paused, and the last plan's figures. */
  summary(): { state: string; busy: number; next: string[] } {
    const entity = readScheduler(this.options.town.journal.read());
    return { state: entity?.state ?? 'off', busy: this.lastPlan?.busy ?? 0, next: (this.lastPlan?.waiting ?? []).slice(0, 3).map((w) => w.bead) };
  }

  /**
   * A decision's polecat recorded `starting` by the scheduler but without a pane: the daemon
   * died between the mutation and the spawn. Its bead is claimed for it (never slung twice):
   * the start is finished here.
   */
  private async resumeStarts(): Promise<void> {
    const { town } = this.options;
    for (const polecat of allPolecats(town.journal.read())) {
      const marks = polecat as { scheduled_by?: unknown; scheduled_bead?: unknown };
      const scheduled = marks.scheduled_by === 'scheduler' && marks.scheduled_bead === polecat.bead;
      if (!scheduled || polecat.status !== 'starting' || polecat.pid !== null || !polecat.bead || this.options.hasPane(polecat.name)) continue;
      try {
        await ensureWorktree(town.paths.root, polecat.name, polecat.bead, { mainBranch: town.config.mainBranch });
        await this.options.spawn(polecat.name);
        this.options.log(`scheduler: finished starting ${polecat.name} on ${polecat.bead} (the last daemon stopped mid-start)`);
      } catch (error) {
        this.options.log(`scheduler: could not finish starting ${polecat.name}: ${(error as Error).message}`);
      }
    }
  }

  /** One look: plan, then carry out each decision. */
  async tick(): Promise<Plan | undefined> {
    if (this.ticking) {
      // Woken mid-look (the journal moved meanwhile): look again right after.
      this.again = true;
      return undefined;
    }
    this.ticking = true;
    try {
      const { town } = this.options;
      const state = town.journal.read();
      const entity = readScheduler(state);
      const running = entity?.state === 'running';
      // The skill book replays the journal (every record on a first look: ~6 s CPU at 870k
      // records): only a running scheduler's plan asks it (a pinned-only one never does).
      if (running) this.feedBook();
      const now = this.options.clock();
      // Nothing new in the journal: plan again only when a deferred bead or a backoff comes due.
      if (state.seq === this.plannedSeq && now < this.dueAt) return undefined;
      this.plannedSeq = state.seq;
      const beads = state.all('beads') as ReadonlyMap<string, Bead>;
      this.notePinnedExits(beads, now);
      const polecats = allPolecats(state).map(planPolecat);
      const max = planMax(town.config.scheduler, entity);
      // Paused or off, pinned beads that ran before are still brought back (a long-lived role), nothing else.
      const agents = running ? planAgents(town.config.scheduler, entity, () => this.defaultAgent()) : [{ name: entity?.agent ?? 'none' }];
      const planned = plan({ beads, polecats, now, max, agents, profile: (who) => this.book.profile(who), notBefore: this.notBefore, names: NAME_POOL, ...(running ? {} : { only: 'pinned' as const }) });
      if (running) this.lastPlan = planned;
      for (const decision of planned.decisions) await this.carryOut(decision, beads.get(decision.bead)!, max);
      // Paused or off, only pinned beads that ran before come back: only theirs can come due
      // (their polecats' branches name them), so the rest of the town is not walked.
      this.dueAt = nextDue(running ? beads : beadsOf(beads, polecats), this.notBefore, now);
      return planned;
    } catch (error) {
      // Logged once per distinct problem (no agent installed would otherwise fill the log 4 times a second).
      const message = (error as Error).message;
      if (message !== this.lastError) this.options.log(`scheduler: ${message}`);
      this.lastError = message;
      return undefined;
    } finally {
      this.ticking = false;
      if (this.again && this.timer) {
        this.again = false;
        setImmediate(() => void this.tick());
      }
    }
  }

  private async carryOut(decision: Decision, bead: Bead, max: number): Promise<void> {
    const { town, log } = this.options;
    const launch = this.launchFor(decision, bead);
    if (typeof launch === 'string') {
      this.notBefore.set(bead.id, this.options.clock() + 30_000);
      if (!this.warned.has(launch)) log(`scheduler: ${launch}`);
      this.warned.add(launch);
      return;
    }
    const now = this.options.clock();
    const worktreesRoot = join(realpathSync(town.paths.root), '.citadel', 'worktrees');
    const { value: taken } = await town.journal.mutate(take(decision, launch, { prefix: town.config.prefix, worktreesRoot, max, now }));
    if (!taken) return;
    log(`scheduler: ${decision.reason}`);
    if (decision.kind === 'pinned') {
      const last = this.pinnedRestarts.get(bead.id);
      this.pinnedRestarts.set(bead.id, { count: (last?.count ?? 0) + 1, at: now });
      this.pinnedWaiting.delete(bead.id);
    }
    try {
      ensureCitadelShim(town.paths.root);
      await ensureWorktree(town.paths.root, decision.polecat, bead.id, { mainBranch: town.config.mainBranch });
      await this.options.spawn(decision.polecat);
      this.failures.delete(bead.id);
    } catch (error) {
      const why = (error as Error).message;
      log(`scheduler: could not start ${decision.polecat} on ${bead.id}: ${why}`);
      const failures = (this.failures.get(bead.id) ?? 0) + 1;
      this.failures.set(bead.id, failures);
      this.notBefore.set(bead.id, this.options.clock() + failureBackoff(failures));
      await town.journal.mutate(undoTake(decision, taken.previous, { prefix: town.config.prefix, now: this.options.clock(), why }));
    }
  }

  /** The preset and argv for a decision's agent, or why it cannot be started. */
  private launchFor(decision: Decision, bead: Bead): Launch | string {
    const { town, env } = this.options;
    const entry = town.config.scheduler.agents[decision.agent];
    const polecat = getPolecat(town.journal.read(), decision.polecat);
    let launch: Launch;
    try {
      // A rework or a pinned restart runs what the polecat ran (its agent, its argv).
      if ((decision.kind === 'rework' || decision.kind === 'pinned') && polecat && polecat.argv.length > 0 && !entry) {
        launch = { preset: polecat.agent, argv: polecat.argv, typeIn: polecat.type_in ?? undefined };
      } else if (entry?.argv) {
        launch = { preset: customPreset(entry.argv).name, argv: [...entry.argv], typeIn: undefined };
      } else {
        const preset = getPreset(entry?.preset ?? decision.agent);
        const started = launchFor(preset, beadPrompt(bead));
        launch = { preset: preset.name, argv: started.argv, typeIn: started.typeIn };
      }
    } catch (error) {
      return `agent ${decision.agent}: ${(error as Error).message}`;
    }
    ensureCitadelShim(town.paths.root);
    const path = polecatEnv(env, { town: town.paths.root, name: decision.polecat, bead: bead.id }).PATH;
    if (!findExecutable(launch.argv[0]!, { cwd: town.paths.root, path })) return `agent ${decision.agent}: \`${launch.argv[0]}\` is not installed (not on PATH); its beads wait`;
    return launch;
  }

  private defaultAgent(): string {
    const { town, env } = this.options;
    const path = polecatEnv(env, { town: town.paths.root, name: 'polecat', bead: null }).PATH;
    return defaultAgent(town.config.defaultAgent, (program) => findExecutable(program, { cwd: town.paths.root, path }) !== undefined);
  }

  /**
   * A pinned bead back on the queue (its polecat exited): restarted after a backoff — 1 s,
   * doubling up to config `scheduler.pinnedBackoffMaxSeconds`; a run of a minute or more
   * resets it.
   */
  private notePinnedExits(beads: ReadonlyMap<string, Bead>, now: number): void {
    for (const [id, restarts] of this.pinnedRestarts) {
      const bead = beads.get(id);
      if (!bead || !isPinned(bead) || bead.status === 'closed') {
        this.pinnedRestarts.delete(id);
        this.pinnedWaiting.delete(id);
        continue;
      }
      if (bead.status !== 'open' || bead.assignee !== null || this.pinnedWaiting.has(id)) continue;
      // Back on the queue since its last start: its polecat exited.
      const ranFor = Date.parse(bead.updated_at) - restarts.at;
      const count = ranFor >= 60_000 ? 1 : restarts.count;
      this.pinnedRestarts.set(id, { count, at: restarts.at });
      const delay = Math.min(this.options.town.config.scheduler.pinnedBackoffMaxSeconds * 1000, 1000 * 2 ** (count - 1));
      this.notBefore.set(id, now + delay);
      this.pinnedWaiting.add(id);
      this.options.log(`scheduler: pinned ${id} exited; restarting it in ${Math.round(delay / 1000)} s`);
    }
  }

  /** Feeds the skill book the journal's new records, and asks git which files merged requests changed. */
  private feedBook(): void {
    const { town } = this.options;
    if (town.journal.headSeq() === this.book.seq) return;
    for (const record of town.journal.records(this.book.seq + 1)) this.book.add(record);
    const missing = this.book.mergedWithoutPaths();
    if (missing.length === 0 || this.pathsInFlight) return;
    // A town with a long history: the folders of its last 200 merges are plenty to route by.
    for (const id of missing.slice(0, -200)) this.book.addPaths(id, []);
    this.pathsInFlight = true;
    void this.fetchPaths(missing.slice(-200)).finally(() => (this.pathsInFlight = false));
  }

  private async fetchPaths(ids: readonly string[]): Promise<void> {
    const state = this.options.town.journal.read();
    for (const id of ids) {
      const mr = state.get('beads', id) as { refinery?: { validation?: { main_before?: string; merged_sha?: string } } } | undefined;
      const validation = mr?.refinery?.validation;
      if (!validation?.main_before || !validation.merged_sha) {
        this.book.addPaths(id, []);
        continue;
      }
      this.book.addPaths(id, await changedFiles(this.options.town.paths.root, validation.main_before, validation.merged_sha));
    }
  }
}

/**
 * When a plan made at `now` may change without a journal record: the first deferred bead or
 * backoff to come due — and in any case within a minute (a `starting` polecat goes stale).
 */
export function nextDue(beads: ReadonlyMap<string, Bead>, notBefore: ReadonlyMap<string, number>, now: number): number {
  let due = now + 60_000;
  for (const bead of beads.values()) {
    if (bead.status !== 'open') continue;
    const until = deferredUntil(bead);
    if (until !== undefined && until > now && until < due) due = until;
  }
  for (const at of notBefore.values()) if (at > now && at < due) due = at;
  return due;
}

/** The beads named by the polecats' branches (`…/<bead id>`): those a pinned-only plan may restart. */
function beadsOf(beads: ReadonlyMap<string, Bead>, polecats: readonly { readonly branch: string | null }[]): Map<string, Bead> {
  const out = new Map<string, Bead>();
  for (const polecat of polecats) {
    const id = polecat.branch?.split('/').pop();
    const bead = id ? beads.get(id) : undefined;
    if (bead) out.set(bead.id, bead);
  }
  return out;
}

/** The files changed between two commits (git), [] when git cannot say. */
export async function changedFiles(root: string, from: string, to: string): Promise<string[]> {
  return (await gitLines(root, ['diff', '--name-only', `${from}..${to}`])) ?? [];
}
