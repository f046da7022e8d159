/**
 * The town config's `scheduler` and `escalation` sections (docs/scheduler.md), checked by hand
 * like the rest of `.citadel/config.json` (read on every CLI call: no schema library). A
 * check returns null when the value is fine, else what it must be.
 */

/** An agent the scheduler may start: a preset, or a command line, and what it takes. */
export interface SchedulerAgent {
  /** The preset it runs (default: the agent's own name). */
  readonly preset?: string;
  /** A command line to run instead of a preset (e.g. a wrapper); the polecat's agent is then this entry's name. */
  readonly argv?: readonly string[];
  /** Only beads with at least one of these labels go to it (none: any bead). */
  readonly labels?: readonly string[];
  /** At most this many of its polecats at once. */
  readonly max?: number;
}

export interface SchedulerConfig {
  /** At most this many polecats busy at once (`town start --max` overrides it). */
  readonly max: number;
  /** The agents it starts, by name; empty: `town start --agent`, else the town's default agent. */
  readonly agents: Readonly<Record<string, SchedulerAgent>>;
  /** A pinned bead's polecat that exits is restarted after 1 s, doubling up to this many seconds. */
  readonly pinnedBackoffMaxSeconds: number;
}

export type EscalationStep = 'nudge' | 'restart' | 'mail';

export interface EscalationConfig {
  /** The ladder, in order; [] turns escalation off. */
  readonly ladder: readonly EscalationStep[];
  /** How long a polecat holding unfinished work must be idle before the first step. */
  readonly idleSeconds: number;
  /** How long to wait after a step, the polecat still idle or stuck, before the next. */
  readonly stepSeconds: number;
  /** Restart a polecat even when its worktree has uncommitted changes (default false: such a restart is skipped). */
  readonly restartWithUncommitted: boolean;
}

export const defaultSchedulerConfig: SchedulerConfig = { max: 3, agents: {}, pinnedBackoffMaxSeconds: 60 };
export const defaultEscalationConfig: EscalationConfig = { ladder: ['nudge', 'restart', 'mail'], idleSeconds: 120, stepSeconds: 120, restartWithUncommitted: false };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPositiveInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;
const isStringList = (v: unknown): boolean => Array.isArray(v) && v.every((s) => typeof s === 'string' && s.length > 0);

/** Checks a `scheduler` section; returns what is wrong, or null. */
export function checkSchedulerSection(value: unknown): string | null {
  if (!isRecord(value)) return 'an object: {"max": 3, "agents": {"claude": {"labels": ["docs"], "max": 2}}}';
  for (const [key, v] of Object.entries(value)) {
    if (key === 'max' || key === 'pinnedBackoffMaxSeconds') {
      if (!isPositiveInt(v)) return `an object whose "${key}" is a positive integer`;
    } else if (key === 'agents') {
      if (!isRecord(v)) return 'an object whose "agents" maps agent names to {preset?, argv?, labels?, max?}';
      for (const [name, agent] of Object.entries(v)) {
        if (!/^[a-z][a-z0-9_-]{0,31}$/.test(name)) return `an object whose agent names are lowercase words (got ${JSON.stringify(name)})`;
        if (!isRecord(agent)) return `an object whose agent "${name}" is {preset?, argv?, labels?, max?}`;
        for (const [field, f] of Object.entries(agent)) {
          const ok =
            field === 'preset' ? typeof f === 'string' && f.length > 0 : field === 'argv' ? isStringList(f) && (f as unknown[]).length > 0 : field === 'labels' ? isStringList(f) : field === 'max' ? isPositiveInt(f) : false;
          if (!ok) return `an object whose agent "${name}" has only preset (a name), argv (a non-empty list of strings), labels (a list of labels) and max (a positive integer); "${field}" is not that`;
        }
      }
    } else {
      return `an object with only "max", "agents" and "pinnedBackoffMaxSeconds" (not "${key}")`;
    }
  }
  return null;
}

/** Checks an `escalation` section; returns what is wrong, or null. */
export function checkEscalationSection(value: unknown): string | null {
  if (!isRecord(value)) return 'an object: {"ladder": ["nudge", "restart", "mail"], "idleSeconds": 120, "stepSeconds": 120}';
  for (const [key, v] of Object.entries(value)) {
    if (key === 'ladder') {
      if (!Array.isArray(v) || !v.every((s) => s === 'nudge' || s === 'restart' || s === 'mail') || new Set(v).size !== v.length) {
        return 'an object whose "ladder" lists "nudge", "restart" and "mail", each at most once, in the order to try them';
      }
    } else if (key === 'idleSeconds' || key === 'stepSeconds') {
      if (!isPositiveInt(v)) return `an object whose "${key}" is a positive integer`;
    } else if (key === 'restartWithUncommitted') {
      if (typeof v !== 'boolean') return 'an object whose "restartWithUncommitted" is true or false';
    } else {
      return `an object with only "ladder", "idleSeconds", "stepSeconds" and "restartWithUncommitted" (not "${key}")`;
    }
  }
  return null;
}

/** A checked section with its defaults filled in. */
export const schedulerSection = (value: unknown): SchedulerConfig => ({ ...defaultSchedulerConfig, ...(value as Partial<SchedulerConfig>) });
export const escalationSection = (value: unknown): EscalationConfig => ({ ...defaultEscalationConfig, ...(value as Partial<EscalationConfig>) });
