import type { Entity, StateView } from '../journal/types.js';
import type { Bead } from '../model/bead.js';
import { isWork } from '../model/bead.js';
import { connect as connectOnly, type DaemonClient } from '../daemon/client.js';
import { ensureDaemon } from '../daemon/lifecycle.js';
import type { Polecat } from '../model/polecat.js';
import { modelContext } from '../model/context.js';
import { transact } from '../model/transaction.js';
import { SCHEDULER_KIND, setScheduler } from '../scheduler/state.js';
import type { Town } from '../town/town.js';

/**
 * The demo's overseer: it starts the town's scheduler (docs/scheduler.md) with the scripted
 * agent and `maxPolecats` — the scheduler in the daemon slings ready beads and gives bounced
 * ones back to their polecats, as it would in any town — then watches: it tells the overseer
 * by mail of each bounce and of the end, as a person at the workstation would hear of them.
 * Ends when every work bead is closed, on `signal`, or at `deadline`.
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
  /** The scheduler's slings while it watched (first runs and reworks). */
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
  let slings = 0;
  let reworks = 0;
  const verdicts = new Map<string, string>();
  // The scheduler does the slinging: one mutation starts it, then the daemon (which hosts it).
  let seq = town.journal.headSeq();
  await town.journal.mutate(setScheduler('dispatcher', new Date().toISOString(), { state: 'running', max: options.maxPolecats, agent: 'scripted' }));
  log(`the scheduler runs: up to ${options.maxPolecats} scripted polecats`);
  let checkedAt = 0;
  for (;;) {
    if (Date.now() - checkedAt > 2000) {
      checkedAt = Date.now();
      if (!(await daemonAlive(connect))) {
        log('the daemon is gone (citadel daemon stop?): the dispatcher stops too');
        return { finished: false, slings, reworks, stopped: 'daemon' };
      }
    }
    // The scheduler's decisions, as they land in the journal.
    for (const record of town.journal.records(seq + 1)) {
      seq = record.seq;
      if (record.kind !== SCHEDULER_KIND || record.action !== 'schedule') continue;
      slings++;
      if (record.summary?.startsWith('rework:')) reworks++;
      log(`scheduler: ${record.summary ?? ''}`);
    }
    const state = town.journal.read();
    for (const bounce of newVerdicts(state, verdicts, log)) {
      await tellOverseer(town, `bounced: ${bounce.title}`, `${bounce.reason}\n\nThe refinery gave ${bounce.bead} back to ${bounce.polecat}; the scheduler sends it back to work on its own branch (rebased onto main) to submit again.`, log);
    }
    const work = workBeads(state);
    if (work.length > 0 && work.every((b) => b.status === 'closed')) {
      const merged = [...verdicts.values()].filter((v) => v === 'merged').length;
      await tellOverseer(town, `the town is done: ${work.length} beads closed`, `Every bead is closed: ${merged} merges onto main, ${reworks} bounced bead(s) reworked and merged. \`citadel refinery status\` shows the lane; \`git log main\` the history.`, log);
      return { finished: true, slings, reworks };
    }
    if (options.signal?.aborted) return { finished: false, slings, reworks, stopped: 'signal' };
    if (Date.now() > options.deadline) return { finished: false, slings, reworks, stopped: 'deadline' };
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
