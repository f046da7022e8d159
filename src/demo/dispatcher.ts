import type { Entity, StateView } from '../journal/types.js';
import type { Bead } from '../model/bead.js';
import { isWork } from '../model/bead.js';
import { readyQueue } from '../model/ready.js';
import { connect as connectOnly, type DaemonClient } from '../daemon/client.js';
import { ensureDaemon } from '../daemon/lifecycle.js';
import { allPolecats, type Polecat } from '../daemon/polecat.js';
import { NAME_POOL, sling } from '../daemon/sling.js';
import { modelContext } from '../model/context.js';
import { transact } from '../model/transaction.js';
import type { Town } from '../town/town.js';

/**
 * The demo's overseer, as a loop: what a person at the workstation would do by hand. Every
 * tick it gives bounced beads back to their polecats (their branch is there), then slings the
 * scripted agent on ready beads while fewer than `maxPolecats` are busy. The refinery runs in
 * the daemon. Ends when every work bead is closed, on `signal`, or at `deadline`.
 */
export interface DispatcherOptions {
  readonly town: Town;
  /** The environment the daemon (and so every polecat) is started with. */
  readonly env: NodeJS.ProcessEnv;
  readonly maxPolecats: number;
  /** Epoch ms after which the dispatcher gives up. */
  readonly deadline: number;
  readonly signal?: AbortSignal;
  readonly log: (line: string) => void;
  readonly pollMs?: number;
  /**
   * `start` (headless): start the town's daemon when it is not running. `attach` (the TUI's
   * detached dispatcher): never start it, and stop when it is gone — someone ran
   * `citadel daemon stop`, and a dispatcher must not bring the town back behind their back.
   */
  readonly daemon?: 'start' | 'attach';
}

export interface DispatchOutcome {
  /** Every work bead is closed. */
  readonly finished: boolean;
  /** Slings made (first runs and reworks). */
  readonly slings: number;
  readonly reworks: number;
  /** Why it stopped early, when it did. */
  readonly stopped?: 'deadline' | 'signal' | 'daemon';
}

type MergeRequest = Entity & Partial<Bead>;

/** A polecat with a live pty, or one being started, cannot take work. */
export const isBusy = (polecat: Polecat): boolean => polecat.pid !== null || polecat.status === 'starting';

/** The work beads of a state (not mail, not merge requests). */
export function workBeads(state: StateView): Bead[] {
  return [...state.all('beads').values()].map((e) => e as Bead).filter(isWork);
}

/** Beads the refinery bounced back to their polecat, whose latest request is rejected, with the polecat to resume on. */
export function bouncedBeads(state: StateView): Array<{ bead: Bead; polecat: string }> {
  const latest = new Map<string, MergeRequest>();
  for (const entity of state.all('beads').values()) {
    const mr = entity as MergeRequest;
    if (mr.type !== 'merge_request' || !mr.bead) continue;
    const seen = latest.get(mr.bead);
    if (!seen || (seen.created_at ?? '') < (mr.created_at ?? '') || ((seen.created_at ?? '') === (mr.created_at ?? '') && seen.id < mr.id)) latest.set(mr.bead, mr);
  }
  const out: Array<{ bead: Bead; polecat: string }> = [];
  for (const bead of workBeads(state)) {
    if (bead.status !== 'in_progress' || !bead.assignee) continue;
    if (latest.get(bead.id)?.state === 'rejected') out.push({ bead, polecat: bead.assignee });
  }
  return out;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const wake = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    signal?.addEventListener('abort', wake, { once: true });
  });

export async function runDispatcher(options: DispatcherOptions): Promise<DispatchOutcome> {
  const { town, env, log } = options;
  const attach = options.daemon === 'attach';
  const connect = async (): Promise<DaemonClient> =>
    attach ? connectOnly(town.paths.root, { env, client: 'cli' }) : (await ensureDaemon(town.paths.root, { env, client: 'cli' })).client;
  let checkedAt = Date.now();
  let slings = 0;
  let reworks = 0;
  const failedAt = new Map<string, number>();
  const verdicts = new Map<string, string>();
  for (;;) {
    const state = town.journal.read();
    for (const bounce of newVerdicts(state, verdicts, log)) {
      await tellOverseer(town, `bounced: ${bounce.title}`, `${bounce.reason}\n\nThe refinery gave ${bounce.bead} back to ${bounce.polecat}; it goes back to work on its own branch (rebased onto main) and submits again.`, log);
    }
    const work = workBeads(state);
    if (work.length > 0 && work.every((b) => b.status === 'closed')) {
      const merged = [...verdicts.values()].filter((v) => v === 'merged').length;
      await tellOverseer(town, `the town is done: ${work.length} beads closed`, `Every bead is closed: ${merged} merges onto main, ${reworks} bounced bead(s) reworked and merged. \`citadel refinery status\` shows the lane; \`git log main\` the history.`, log);
      return { finished: true, slings, reworks };
    }
    if (options.signal?.aborted) return { finished: false, slings, reworks, stopped: 'signal' };
    if (Date.now() > options.deadline) return { finished: false, slings, reworks, stopped: 'deadline' };
    if (attach && Date.now() - checkedAt > 2000) {
      checkedAt = Date.now();
      if (!(await daemonAlive(connect))) {
        log('the daemon is gone (citadel daemon stop?): the dispatcher stops too');
        return { finished: false, slings, reworks, stopped: 'daemon' };
      }
    }

    const polecats = allPolecats(state);
    const busy = new Set(polecats.filter(isBusy).map((p) => p.name));
    // Reworks first: a bounced bead waits for its own polecat, whose worktree holds its branch.
    for (const { bead, polecat } of bouncedBeads(state)) {
      if (busy.has(polecat) || recentlyFailed(failedAt, bead.id)) continue;
      if (await trySling(town, { bead: bead.id, polecat, agent: 'scripted', env }, connect, log, failedAt)) {
        log(`rework: ${bead.id} back to ${polecat} (${bead.title})`);
        busy.add(polecat);
        slings++;
        reworks++;
      }
    }
    const reserved = new Set(bouncedBeads(state).map((b) => b.polecat));
    for (const bead of readyQueue(new Map(work.map((b) => [b.id, b])))) {
      if (busy.size >= options.maxPolecats) break;
      if (recentlyFailed(failedAt, bead.id)) continue;
      // Leave polecats holding a bounced bead free for their rework; sling picks an idle one or a new name.
      const idle = polecats.filter((p) => !isBusy(p) && !busy.has(p.name) && !reserved.has(p.name) && p.bead === null).map((p) => p.name).sort()[0];
      const name = idle ?? NAME_POOL.find((n) => !polecats.some((p) => p.name === n) && !busy.has(n));
      const result = await trySling(town, { bead: bead.id, polecat: name, agent: 'scripted', env }, connect, log, failedAt);
      if (result) {
        log(`sling: ${bead.id} → ${result} (${bead.title})`);
        busy.add(result);
        slings++;
      }
    }
    await sleep(options.pollMs ?? 150, options.signal);
  }
}

async function daemonAlive(connect: () => Promise<DaemonClient>): Promise<boolean> {
  try {
    (await connect()).close();
    return true;
  } catch {
    return false;
  }
}

function recentlyFailed(failedAt: Map<string, number>, bead: string): boolean {
  return Date.now() - (failedAt.get(bead) ?? 0) < 2000;
}

async function trySling(
  town: Town,
  request: { bead: string; polecat?: string | undefined; agent: string; env: NodeJS.ProcessEnv },
  connect: () => Promise<DaemonClient>,
  log: (line: string) => void,
  failedAt: Map<string, number>,
): Promise<string | undefined> {
  try {
    const result = await sling(town, request, connect);
    return result.polecat;
  } catch (error) {
    failedAt.set(request.bead, Date.now());
    log(`sling ${request.bead} failed: ${(error as Error).message}`);
    return undefined;
  }
}

/** Logs each merge request that reached a verdict since the last look, and returns the new bounces. */
function newVerdicts(state: StateView, seen: Map<string, string>, log: (line: string) => void): Array<{ bead: string; title: string; polecat: string; reason: string }> {
  const bounces: Array<{ bead: string; title: string; polecat: string; reason: string }> = [];
  for (const entity of state.all('beads').values()) {
    const mr = entity as MergeRequest & { refinery?: { merged_sha?: string } };
    if (mr.type !== 'merge_request' || (mr.state !== 'merged' && mr.state !== 'rejected') || seen.get(mr.id) === mr.state) continue;
    seen.set(mr.id, mr.state);
    if (mr.state === 'merged') {
      log(`merged: ${mr.bead} by ${mr.polecat} onto main as ${(mr.refinery?.merged_sha ?? '').slice(0, 10)}`);
    } else {
      log(`bounced: ${mr.bead} by ${mr.polecat}: ${mr.reason ?? 'rejected'}`);
      const bead = mr.bead ? (state.get('beads', mr.bead) as Bead | undefined) : undefined;
      bounces.push({ bead: mr.bead ?? mr.id, title: bead?.title ?? mr.title ?? mr.id, polecat: mr.polecat ?? 'its polecat', reason: mr.reason ?? 'rejected' });
    }
  }
  return bounces;
}

/** The dispatcher keeps the overseer informed by mail (what shows in the workstation's inbox). */
async function tellOverseer(town: Town, subject: string, body: string, log: (line: string) => void): Promise<void> {
  try {
    await town.journal.mutate(transact(modelContext('dispatcher', town.config.prefix), (tx) => tx.sendMail({ to: 'overseer', subject, body })));
  } catch (error) {
    log(`could not mail the overseer: ${(error as Error).message}`);
  }
}
