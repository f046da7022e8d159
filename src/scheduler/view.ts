import { queriesOf } from '../journal/query-index.js';
import type { StateView } from '../journal/types.js';
import type { Bead } from '../model/bead.js';
import { capacityOf, resourceHolders } from '../model/schedule.js';
import { allPolecats } from '../model/polecat.js';
import { NAME_POOL } from '../polecats/sling.js';
import type { SchedulerConfig } from './config.js';
import { planAgents, planMax, planPolecat } from './inputs.js';
import { plan, type Decision, type Waiting } from './plan.js';
import { SkillBook, type SkillProfile } from './skills.js';
import { readScheduler, type SchedulerEntity } from './state.js';

/**
 * The scheduler as a person sees it (`citadel town status`, the workstation's status bar and
 * board): whether it runs, its limits, what it would take next and why, what waits and why,
 * and who holds each resource. Pure over the journal's state: the same plan the daemon makes.
 */
export interface SchedulerView {
  readonly state: 'running' | 'paused' | 'off';
  readonly max: number;
  readonly agents: readonly string[];
  /** Busy polecats counted against `max` (pinned roles aside). */
  readonly busy: number;
  readonly changed_by: string | null;
  /** What it takes at its next look (or would, were it running), with the reasons. */
  readonly next: readonly Decision[];
  /** Ready beads it leaves for now, and why. */
  readonly waiting: readonly Waiting[];
  readonly last: SchedulerEntity['last'] | null;
  readonly resources: readonly ResourceView[];
}

export interface ResourceView {
  readonly id: string;
  readonly title: string;
  readonly capacity: number;
  /** The beads in progress that use it, with their polecats. */
  readonly holders: readonly { readonly bead: string; readonly polecat: string | null }[];
}

export interface ViewOptions {
  readonly now: number;
  readonly config: SchedulerConfig;
  /** Skill profiles (default: none — the plan is then by queue order and config labels only). */
  readonly profile?: (who: string) => SkillProfile;
  /** The agent when neither `--agent` nor config names one (the daemon resolves the installed one). */
  readonly fallbackAgent?: string;
}

export function schedulerView(state: StateView, options: ViewOptions): SchedulerView {
  const entity = readScheduler(state);
  const beads = state.all('beads') as ReadonlyMap<string, Bead>;
  const polecats = allPolecats(state).map(planPolecat);
  const agents = planAgents(options.config, entity, () => options.fallbackAgent ?? 'the default agent');
  const max = planMax(options.config, entity);
  const empty = new SkillBook();
  const planned = plan({ beads, polecats, now: options.now, max, agents, profile: options.profile ?? ((who) => empty.profile(who)), names: NAME_POOL });
  return {
    state: entity?.state ?? 'off',
    max,
    agents: agents.map((a) => a.name),
    busy: planned.busy,
    changed_by: entity?.changed_by ?? null,
    next: planned.decisions,
    waiting: planned.waiting,
    last: entity?.last ?? null,
    resources: resourcesView(beads),
  };
}

/** Every open resource with its capacity and holders (what the board shows as "who holds what"). */
export function resourcesView(beads: ReadonlyMap<string, Bead>): ResourceView[] {
  // Through the query index, only the resource beads are read (a walk would load the whole town).
  const queries = queriesOf(beads);
  if (queries) {
    const some = new Map<string, Bead>();
    for (const resource of queries.find({ fields: { type: 'resource' }, not: { status: ['closed'] } }) as Bead[]) {
      some.set(resource.id, resource);
      for (const user of queries.iterate({ fields: { status: 'in_progress' }, has: { field: 'uses', value: resource.id } }) as Iterable<Bead>) some.set(user.id, user);
    }
    beads = some;
  }
  const holders = resourceHolders(beads);
  const out: ResourceView[] = [];
  for (const bead of beads.values()) {
    if (bead.type !== 'resource' || bead.status === 'closed') continue;
    out.push({
      id: bead.id,
      title: bead.title,
      capacity: capacityOf(bead),
      holders: (holders.get(bead.id) ?? []).map((id) => ({ bead: id, polecat: beads.get(id)?.assignee ?? null })),
    });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** One line for a status bar: `sched running 2/3 · next ct-a3f8`, `sched paused`, or `sched off`. */
export function schedulerStatusLine(view: SchedulerView): string {
  if (view.state !== 'running') return `sched ${view.state}`;
  const next = view.next[0]?.bead ?? view.waiting[0]?.bead;
  return `sched running ${view.busy}/${view.max}${next ? ` · next ${next}` : ''}`;
}
