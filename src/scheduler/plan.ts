import type { Bead, MergeRequestBead } from '../model/bead.js';
import { queriesOf } from '../journal/query-index.js';
import { readyQueue } from '../model/ready.js';
import { capacityOf, isPinned, resourceHolders, skillsNeeded, usesOf } from '../model/schedule.js';
import { agentKey, hasSkill, matchScore, type SkillProfile } from './skills.js';

/**
 * The scheduler's decision, pure (docs/scheduler.md): given the town's beads, its polecats,
 * the clock, the limits and the skill profiles, what to start now and why. The daemon's host
 * carries the decisions out, one journal mutation each; nothing here reads a clock or a disk,
 * so the same state always gives the same plan (tests: test/unit/scheduler/plan.test.ts).
 */

/** What the plan needs of a polecat (a journal entity, read defensively by the host). */
export interface PlanPolecat {
  readonly name: string;
  readonly bead: string | null;
  readonly status: string;
  readonly pid: number | null;
  readonly agent: string;
  readonly branch: string | null;
  /** Epoch ms of its last change (a `starting` polecat older than {@link STARTING_STALE_MS} is a dead sling). */
  readonly updatedAt: number;
}

/** An agent the scheduler may start, with what it takes. */
export interface PlanAgent {
  readonly name: string;
  /** Only beads with one of these labels (empty: any). */
  readonly labels?: readonly string[] | undefined;
  /** At most this many busy polecats of this agent. */
  readonly max?: number | undefined;
}

export interface PlanInput {
  readonly beads: ReadonlyMap<string, Bead>;
  readonly polecats: readonly PlanPolecat[];
  /** Epoch ms. */
  readonly now: number;
  /** At most this many busy polecats (pinned beads' polecats aside). */
  readonly max: number;
  /** In order of preference on a tie; at least one. */
  readonly agents: readonly PlanAgent[];
  /** Skill profiles by polecat name and by {@link agentKey}. */
  readonly profile: (who: string) => SkillProfile;
  /** Beads not to take before this time (a failed start backs off; a pinned bead's restart backs off). */
  readonly notBefore?: ReadonlyMap<string, number>;
  /** Names for new polecats, in order. */
  readonly names: readonly string[];
  /**
   * `pinned`: only bring back pinned beads that have run before (on their own polecat) — what
   * the daemon does while the scheduler is paused or off: a long-lived role is kept, no new work
   * is taken. Default `all`.
   */
  readonly only?: 'pinned';
}

export type DecisionKind = 'take' | 'rework' | 'pinned';

export interface Decision {
  readonly kind: DecisionKind;
  readonly bead: string;
  readonly polecat: string;
  readonly agent: string;
  /** The polecat exists already (its worktree is reused). */
  readonly reused: boolean;
  /** The skill match in words ("closed 2 beads labelled docs"), or "no history" / a rule. */
  readonly match: string;
  /** The whole reason, one line: this bead, this polecat, this agent, the match. */
  readonly reason: string;
}

/** A ready bead left for later, and why (what `town status` and the board show as "next"). */
export interface Waiting {
  readonly bead: string;
  readonly title: string;
  readonly why: string;
}

export interface Plan {
  readonly decisions: readonly Decision[];
  readonly waiting: readonly Waiting[];
  /** Busy polecats counted against `max` (before the decisions). */
  readonly busy: number;
}

/** A `starting` polecat without a pid for this long is a sling that died mid-way: not busy. */
export const STARTING_STALE_MS = 30_000;

/** A polecat with a live program, or being started, cannot take work. */
export function isBusy(polecat: PlanPolecat, now: number): boolean {
  return polecat.pid !== null || (polecat.status === 'starting' && now - polecat.updatedAt < STARTING_STALE_MS);
}

/** Beads the refinery bounced back to their polecat (latest request rejected), by bead id → polecat. */
export function bouncedBeads(beads: ReadonlyMap<string, Bead>): Map<string, string> {
  const latest = new Map<string, MergeRequestBead>();
  for (const mr of beads.values()) {
    if (mr.type !== 'merge_request' || !mr.bead) continue;
    const seen = latest.get(mr.bead);
    if (!seen || seen.created_at < mr.created_at || (seen.created_at === mr.created_at && seen.id < mr.id)) latest.set(mr.bead, mr);
  }
  const out = new Map<string, string>();
  for (const [id, mr] of latest) {
    const bead = beads.get(id);
    if (mr.state === 'rejected' && bead && bead.status === 'in_progress' && bead.assignee) out.set(id, bead.assignee);
  }
  return out;
}

/**
 * Who holds which resource ({@link resourceHolders}). Through the journal's query index, a town
 * where no bead uses a resource has none without a walk over every bead (which would load the
 * whole town into the daemon's memory, issue 18).
 */
export function holdersOf(beads: ReadonlyMap<string, Bead>): Map<string, string[]> {
  const queries = queriesOf(beads);
  if (queries && !queries.anyList('uses')) return new Map();
  return resourceHolders(beads);
}

export function plan(input: PlanInput): Plan {
  const { beads, now } = input;
  const byName = new Map(input.polecats.map((p) => [p.name, p]));
  const pinnedHolder = (p: PlanPolecat): boolean => p.bead !== null && isPinned(beads.get(p.bead) ?? ({} as Bead));
  const taken = new Set<string>(input.polecats.filter((p) => isBusy(p, now)).map((p) => p.name));
  let busy = input.polecats.filter((p) => isBusy(p, now) && !pinnedHolder(p)).length;
  const busyAt = busy;
  const agentBusy = new Map<string, number>();
  for (const p of input.polecats) if (isBusy(p, now) && !pinnedHolder(p)) agentBusy.set(p.agent, (agentBusy.get(p.agent) ?? 0) + 1);
  const holders = new Map([...holdersOf(beads)].map(([id, list]) => [id, [...list]]));
  const decisions: Decision[] = [];
  const waiting: Waiting[] = [];
  const notYet = (id: string): boolean => (input.notBefore?.get(id) ?? 0) > now;
  // Only a full plan takes reworks or keeps polecats for them (pinned-only restarts a pinned bead on its own polecat).
  const bounced = input.only === 'pinned' ? new Map<string, string>() : bouncedBeads(beads);
  // Polecats kept for their own work: a bounced bead's (its branch is there), a pinned bead's.
  const reserved = new Set(bounced.values());
  const ready = readyQueue(beads, { now });
  for (const bead of ready) if (isPinned(bead)) { const prev = previousHolder(input.polecats, bead.id); if (prev) reserved.add(prev.name); }
  const newName = (): string => {
    const known = new Set([...byName.keys(), ...decisions.map((d) => d.polecat)]);
    const free = input.names.find((name) => !known.has(name));
    if (free) return free;
    for (let n = 1; ; n++) if (!known.has(`polecat-${n}`)) return `polecat-${n}`;
  };

  // 1. Pinned beads: their polecat is kept running, whatever `max` says (long-lived roles).
  for (const bead of ready) {
    if (!isPinned(bead) || notYet(bead.id) || !resourcesFree(bead, beads, holders)) continue;
    const prev = previousHolder(input.polecats, bead.id);
    if (input.only === 'pinned' && (!prev || taken.has(prev.name))) continue;
    const polecat = prev && !taken.has(prev.name) ? prev.name : (idlePolecats(input.polecats, taken, reserved, now)[0]?.name ?? newName());
    // A long-lived role comes back as it was: the same agent on the same polecat.
    const agent = prev && prev.agent !== '?' ? prev.agent : input.agents[0]!.name;
    hold(bead, holders);
    taken.add(polecat);
    decisions.push(decide('pinned', bead, polecat, agent, byName.has(polecat), 'pinned: its polecat is kept running', `pinned ${bead.id} back on ${polecat} (${agent})`));
  }

  if (input.only === 'pinned') return { decisions, waiting, busy: busyAt };

  // 2. Reworks: a bounced bead goes back to its own polecat, whose worktree has its branch.
  for (const [id, name] of bounced) {
    const bead = beads.get(id)!;
    const polecat = byName.get(name);
    if (taken.has(name) || notYet(id)) continue;
    if (busy >= input.max) {
      waiting.push({ bead: id, title: bead.title, why: `rework for ${name}: no free slot (${busy}/${input.max} busy)` });
      continue;
    }
    const agent = polecat?.agent ?? input.agents[0]!.name;
    taken.add(name);
    busy++;
    agentBusy.set(agent, (agentBusy.get(agent) ?? 0) + 1);
    decisions.push(decide('rework', bead, name, agent, true, 'bounced back to its own branch', `rework: the refinery bounced ${id}; back to ${name} (${agent}), whose worktree has its branch`));
  }

  // 3. The ready queue, best first.
  for (const bead of ready) {
    if (isPinned(bead)) continue;
    if (notYet(bead.id)) {
      waiting.push({ bead: bead.id, title: bead.title, why: 'its last start failed: retrying shortly' });
      continue;
    }
    if (busy >= input.max) {
      waiting.push({ bead: bead.id, title: bead.title, why: `no free slot (${busy}/${input.max} polecats busy)` });
      continue;
    }
    const full = fullFor(bead, beads, holders);
    if (full) {
      waiting.push({ bead: bead.id, title: bead.title, why: full });
      continue;
    }
    const choice = chooseAgent(bead, input, agentBusy);
    if ('why' in choice) {
      waiting.push({ bead: bead.id, title: bead.title, why: choice.why });
      continue;
    }
    const { polecat, reused, polecatMatch } = choosePolecat(bead, choice.agent.name, input, taken, reserved, newName);
    hold(bead, holders);
    taken.add(polecat);
    busy++;
    agentBusy.set(choice.agent.name, (agentBusy.get(choice.agent.name) ?? 0) + 1);
    const match = choice.match;
    decisions.push(
      decide('take', bead, polecat, choice.agent.name, reused, match, `${bead.id} (P${bead.priority}, next in the queue) → ${polecat}${reused ? ' (reused)' : ' (new)'} on ${choice.agent.name}: ${match}${polecatMatch ? `; ${polecat} ${polecatMatch}` : ''}`),
    );
  }
  return { decisions, waiting, busy: busyAt };
}

function decide(kind: DecisionKind, bead: Bead, polecat: string, agent: string, reused: boolean, match: string, reason: string): Decision {
  return { kind, bead: bead.id, polecat, agent, reused, match, reason };
}

/** The polecat whose branch is this bead's (it held it before): its worktree has the work. */
function previousHolder(polecats: readonly PlanPolecat[], bead: string): PlanPolecat | undefined {
  return polecats.find((p) => p.branch?.endsWith(`/${bead}`));
}

function idlePolecats(polecats: readonly PlanPolecat[], taken: ReadonlySet<string>, reserved: ReadonlySet<string>, now: number): PlanPolecat[] {
  return polecats.filter((p) => !taken.has(p.name) && !reserved.has(p.name) && !isBusy(p, now) && p.bead === null).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function resourcesFree(bead: Bead, beads: ReadonlyMap<string, Bead>, holders: ReadonlyMap<string, readonly string[]>): boolean {
  return fullFor(bead, beads, holders) === undefined;
}

/** Why a bead's resource has no room — counting this plan's own picks — or undefined. */
function fullFor(bead: Bead, beads: ReadonlyMap<string, Bead>, holders: ReadonlyMap<string, readonly string[]>): string | undefined {
  for (const id of usesOf(bead)) {
    const resource = beads.get(id);
    const capacity = capacityOf(resource);
    const held = holders.get(id) ?? [];
    if (held.length >= capacity) {
      if (!resource || resource.type !== 'resource' || resource.status === 'closed') return `it uses ${id}, which is ${resource ? (resource.status === 'closed' ? 'closed' : `a ${resource.type}`) : 'missing'}`;
      return `${id} is at capacity ${capacity} (held by ${held.join(', ')})`;
    }
  }
  return undefined;
}

function hold(bead: Bead, holders: Map<string, string[]>): void {
  for (const id of usesOf(bead)) holders.set(id, [...(holders.get(id) ?? []), bead.id]);
}

/**
 * The agent for a bead: those whose labels admit it, under their own max, and — with
 * `needs_skill` — whose history shows every skill; the best skill match wins, then the order
 * of the config. Says why in words either way.
 */
function chooseAgent(bead: Bead, input: PlanInput, agentBusy: ReadonlyMap<string, number>): { agent: PlanAgent; match: string } | { why: string } {
  const needed = skillsNeeded(bead);
  const refusals: string[] = [];
  let best: { agent: PlanAgent; score: number; because: string[] } | undefined;
  for (const agent of input.agents) {
    if (agent.labels?.length && !bead.labels.some((label) => agent.labels!.includes(label))) {
      refusals.push(`${agent.name} takes only ${agent.labels.join('/')}`);
      continue;
    }
    if (agent.max !== undefined && (agentBusy.get(agent.name) ?? 0) >= agent.max) {
      refusals.push(`${agent.name} is at its max ${agent.max}`);
      continue;
    }
    const profile = input.profile(agentKey(agent.name));
    const missing = needed.filter((skill) => !hasSkill(profile, skill) && !(agent.labels ?? []).includes(skill));
    if (missing.length > 0) {
      refusals.push(`${agent.name} has not shown ${missing.join(', ')}`);
      continue;
    }
    const { score, because } = matchScore(profile, bead);
    if (!best || score > best.score) best = { agent, score, because };
  }
  if (!best) return { why: refusals.length ? `no agent can take it: ${refusals.join('; ')}` : 'no agent is configured' };
  const others = input.agents.filter((a) => a !== best!.agent).length;
  const skill = needed.length ? `has shown ${needed.join(', ')}; ` : '';
  const match =
    best.because.length > 0
      ? `${skill}best match (${best.because.join(', ')})`
      : best.agent.labels?.length
        ? `${skill}takes ${best.agent.labels.join('/')}`
        : `${skill}${others > 0 ? 'no history favours another agent' : 'the only agent'}`;
  return { agent: best.agent, match };
}

/**
 * The polecat: the one that held the bead before (its branch is there), else the idle polecat
 * of that agent whose history best matches, else any idle one (its worktree is reused), else
 * a new name.
 */
function choosePolecat(
  bead: Bead,
  agent: string,
  input: PlanInput,
  taken: ReadonlySet<string>,
  reserved: ReadonlySet<string>,
  newName: () => string,
): { polecat: string; reused: boolean; polecatMatch?: string } {
  const prev = previousHolder(input.polecats, bead.id);
  if (prev && !taken.has(prev.name) && !reserved.has(prev.name) && !isBusy(prev, input.now)) return { polecat: prev.name, reused: true, polecatMatch: 'held it before' };
  const idle = idlePolecats(input.polecats, taken, reserved, input.now);
  if (idle.length === 0) return { polecat: newName(), reused: false };
  let best = idle[0]!;
  let bestScore = -1;
  let because: string[] = [];
  for (const polecat of idle) {
    const { score, because: why } = matchScore(input.profile(polecat.name), bead);
    const total = score + (polecat.agent === agent ? 0.25 : 0);
    if (total > bestScore) {
      best = polecat;
      bestScore = total;
      because = why;
    }
  }
  return { polecat: best.name, reused: true, ...(because.length ? { polecatMatch: because.join(', ') } : {}) };
}
