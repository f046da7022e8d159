import type { Polecat } from '../model/polecat.js';
import type { PlanAgent, PlanPolecat } from './plan.js';
import type { SchedulerConfig } from './config.js';
import type { SchedulerEntity } from './state.js';

/** A polecat entity as the plan sees it; its agent is the scheduler's name for it when it started it. */
export function planPolecat(polecat: Polecat): PlanPolecat {
  const { scheduler_agent: named, scheduled_bead: about } = polecat as Polecat & { scheduler_agent?: unknown; scheduled_bead?: unknown };
  // The scheduler's name for the agent, unless a person has slung the polecat on another bead since.
  const scheduled = polecat.bead === null || polecat.bead === about ? named : undefined;
  const updatedAt = Date.parse(polecat.updated_at);
  return {
    name: polecat.name,
    bead: polecat.bead,
    status: polecat.status,
    pid: polecat.pid,
    agent: typeof scheduled === 'string' && scheduled !== '' ? scheduled : polecat.agent,
    branch: polecat.branch,
    updatedAt: Number.isFinite(updatedAt) ? updatedAt : 0,
  };
}

/**
 * The agents the scheduler chooses among: `town start --agent A` alone (with A's config entry
 * when it has one); else config `scheduler.agents` in order; else `fallback` (the town's
 * default agent, resolved by the caller).
 */
export function planAgents(config: SchedulerConfig, entity: SchedulerEntity | undefined, fallback: () => string): PlanAgent[] {
  const entries = Object.entries(config.agents);
  const spec = (name: string): PlanAgent => ({ name, labels: config.agents[name]?.labels, max: config.agents[name]?.max });
  if (entity?.agent) return [spec(entity.agent)];
  if (entries.length > 0) return entries.map(([name]) => spec(name));
  return [{ name: fallback() }];
}

/** The limit on busy polecats: `town start --max`, else config `scheduler.max`. */
export const planMax = (config: SchedulerConfig, entity: SchedulerEntity | undefined): number => entity?.max ?? config.max;
