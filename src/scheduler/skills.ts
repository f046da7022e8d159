import type { JournalRecord } from '../journal/types.js';
import type { Bead } from '../model/bead.js';
import { isWork } from '../model/bead.js';
import { POLECAT_KIND } from '../model/polecat.js';

/**
 * Skills from work history (the vision's "your work history is your CV", kept simple and
 * explainable): for each polecat and each agent, what it finished — the labels and types of
 * the beads, the folders its merged commits touched — and how well: merged first try, bounces,
 * time from claim to merge. Pure: fed the journal's records in seq order (and, for paths, the
 * files each merged request changed, which only git knows: the host supplies them).
 */
export interface SkillProfile {
  /** The polecat's name, or `agent:<name>` for an agent (all its polecats together). */
  readonly who: string;
  /** Finished work beads by label, by type, and merged changes by folder (`src`, `src/journal`). */
  readonly labels: ReadonlyMap<string, number>;
  readonly types: ReadonlyMap<string, number>;
  readonly paths: ReadonlyMap<string, number>;
  readonly closed: number;
  /** Beads whose first merge request merged (no bounce). */
  readonly firstTry: number;
  readonly merged: number;
  readonly bounced: number;
  /** Median seconds from claim to merge, or null. */
  readonly medianMergeSeconds: number | null;
}

interface MutableProfile {
  labels: Map<string, number>;
  types: Map<string, number>;
  paths: Map<string, number>;
  closed: number;
  firstTry: number;
  merged: number;
  bounced: number;
  mergeSeconds: number[];
}

/** The key of an agent's profile (kept apart from polecat names). */
export const agentKey = (agent: string): string => `agent:${agent}`;

/** The folders a changed file counts for: its first and first two directories (`src`, `src/journal`). */
export function folderSkills(file: string): string[] {
  const parts = file.split('/').slice(0, -1);
  return parts.length === 0 ? [] : parts.length === 1 ? [parts[0]!] : [parts[0]!, `${parts[0]}/${parts[1]}`];
}

/**
 * Builds every profile from records, incrementally (`add` each new record; the daemon keeps
 * one book and feeds it the journal's tail). A bead's work counts for the polecat that held it
 * when it closed, and for that polecat's agent at the time (polecat records carry `agent`).
 */
export class SkillBook {
  private readonly profiles = new Map<string, MutableProfile>();
  private readonly agentOf = new Map<string, string>();
  /** The agent each bead was last started with (from the polecat record that took it). */
  private readonly beadAgent = new Map<string, string>();
  private readonly claimedAt = new Map<string, number>();
  /** Beads that had a merge request rejected: a later merge is not first try. */
  private readonly bouncedBeads = new Set<string>();
  /** Merge requests already counted at a verdict. */
  private readonly verdicts = new Set<string>();
  /** The files each merge request changed, when the host knows them (by merge request id). */
  private readonly pending = new Map<string, { polecat: string; agent: string | undefined }>();
  seq = 0;

  add(record: JournalRecord): void {
    this.seq = record.seq;
    if (record.kind === POLECAT_KIND && record.entity) {
      // The scheduler's name for the agent (a config entry) when it started the polecat, else the preset.
      const scheduled = typeof record.entity.scheduler_agent === 'string' && record.entity.scheduler_agent !== '' && record.entity.scheduled_bead === record.entity.bead;
      const agent = scheduled ? record.entity.scheduler_agent : record.entity.agent;
      if (typeof agent === 'string' && agent !== '?') {
        this.agentOf.set(record.id, agent);
        // A polecat is reused across agents: its work counts for the agent it ran for that bead.
        if (typeof record.entity.bead === 'string') this.beadAgent.set(record.entity.bead, agent);
      }
      return;
    }
    if (record.kind !== 'beads' || !record.entity) return;
    const bead = record.entity as unknown as Bead;
    if (bead.type === 'merge_request') {
      const polecat = bead.polecat;
      if (!polecat || !bead.bead || this.verdicts.has(bead.id)) return;
      if (bead.state !== 'merged' && bead.state !== 'rejected') return;
      this.verdicts.add(bead.id);
      const agent = this.beadAgent.get(bead.bead) ?? this.agentOf.get(polecat);
      for (const profile of this.both(polecat, agent)) {
        if (bead.state === 'rejected') profile.bounced++;
        else {
          profile.merged++;
          if (!this.bouncedBeads.has(bead.bead)) profile.firstTry++;
          const start = this.claimedAt.get(bead.bead);
          const end = Date.parse(record.ts);
          if (start !== undefined && Number.isFinite(end) && end >= start) profile.mergeSeconds.push((end - start) / 1000);
        }
      }
      if (bead.state === 'rejected') this.bouncedBeads.add(bead.bead);
      else this.pending.set(bead.id, { polecat, agent });
      return;
    }
    if (!isWork(bead)) return;
    if (record.action === 'claim' && bead.assignee && !this.claimedAt.has(bead.id)) this.claimedAt.set(bead.id, Date.parse(record.ts));
    if (record.action === 'close' && bead.assignee) {
      for (const profile of this.both(bead.assignee, this.beadAgent.get(bead.id) ?? this.agentOf.get(bead.assignee))) {
        profile.closed++;
        for (const label of bead.labels) bump(profile.labels, label);
        bump(profile.types, bead.type);
      }
    }
  }

  /** The files merge request `mr` landed (from git): they count for its polecat and agent. */
  addPaths(mr: string, files: readonly string[]): void {
    const owner = this.pending.get(mr);
    if (!owner) return;
    this.pending.delete(mr);
    const folders = new Set(files.flatMap(folderSkills));
    for (const profile of this.both(owner.polecat, owner.agent)) for (const folder of folders) bump(profile.paths, folder);
  }

  /** Merged requests whose files are not known yet (the host asks git, then calls {@link addPaths}). */
  mergedWithoutPaths(): string[] {
    return [...this.pending.keys()];
  }

  /** A polecat's (or, with {@link agentKey}, an agent's) profile; an empty one for a newcomer. */
  profile(who: string): SkillProfile {
    const p = this.profiles.get(who) ?? empty();
    return {
      who,
      labels: p.labels,
      types: p.types,
      paths: p.paths,
      closed: p.closed,
      firstTry: p.firstTry,
      merged: p.merged,
      bounced: p.bounced,
      medianMergeSeconds: median(p.mergeSeconds),
    };
  }

  private both(polecat: string, agent: string | undefined): MutableProfile[] {
    const out = [this.mutable(polecat)];
    if (agent) out.push(this.mutable(agentKey(agent)));
    return out;
  }

  private mutable(who: string): MutableProfile {
    let profile = this.profiles.get(who);
    if (!profile) this.profiles.set(who, (profile = empty()));
    return profile;
  }
}

/** Whether a profile shows `skill`: a label, a type, or a folder (or a folder under it) it has worked in. */
export function hasSkill(profile: SkillProfile, skill: string): boolean {
  if ((profile.labels.get(skill) ?? 0) > 0 || (profile.types.get(skill) ?? 0) > 0) return true;
  const folder = skill.replace(/\/+$/, '');
  return (profile.paths.get(folder) ?? 0) > 0;
}

/** How well a profile matches a bead, with the reasons in words. Higher is better; 0 is no history. */
export function matchScore(profile: SkillProfile, bead: Bead): { score: number; because: string[] } {
  let score = 0;
  const because: string[] = [];
  for (const label of bead.labels) {
    const n = profile.labels.get(label) ?? 0;
    if (n > 0) {
      score += n;
      because.push(`closed ${n} bead${n === 1 ? '' : 's'} labelled ${label}`);
    }
  }
  const sameType = profile.types.get(bead.type) ?? 0;
  if (sameType > 0 && bead.type !== 'task') {
    score += sameType / 2;
    because.push(`closed ${sameType} ${bead.type}${sameType === 1 ? '' : 's'}`);
  }
  // Quality breaks ties between equally skilled candidates, and a record of bounces costs.
  const verdicts = profile.merged + profile.bounced;
  if (verdicts > 0 && score > 0) {
    score += profile.firstTry / verdicts;
    because.push(`${profile.firstTry}/${verdicts} merged first try`);
  }
  return { score, because };
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function empty(): MutableProfile {
  return { labels: new Map(), types: new Map(), paths: new Map(), closed: 0, firstTry: 0, merged: 0, bounced: 0, mergeSeconds: [] };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
