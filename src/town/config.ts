import { basename, dirname, resolve } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { isTownName, townNameFrom, TOWN_NAME_RULE } from '../model/address.js';
import { readRegularFile } from './private-fs.js';
import {
  checkEscalationSection,
  checkSchedulerSection,
  defaultEscalationConfig,
  defaultSchedulerConfig,
  escalationSection,
  schedulerSection,
  type EscalationConfig,
  type SchedulerConfig,
} from '../scheduler/config.js';

/**
 * The town's configuration, `.citadel/config.json`. Every field is optional in the file; a
 * missing file means the defaults. Validated by hand rather than with zod: this is read on
 * every CLI call, and zod's import alone costs ~50 ms on these machines (docs/architecture.md).
 */
export interface TownConfig {
  /**
   * The town's name: the `<town>` of every actor's address `entity://citadel/<town>/<id>`
   * (docs/model.md, "Addresses"). Default: the repository folder's name, made a valid name.
   */
  name: string;
  /** `required`: the refinery holds a request that passed its gates until `citadel approve` (docs/refinery.md, "Review"). */
  review: 'none' | 'required';
  /** Bead id prefix, e.g. "ct" → ct-a3f8. */
  prefix: string;
  /** The gate commands the refinery runs on each merge request, as argv arrays. */
  gates: string[][];
  /** Seconds a gate may run before it fails. */
  gateTimeoutSeconds: number;
  /** How the refinery lands a branch. */
  mergeMode: 'rebase' | 'merge';
  /** Who gets a bounced bead back: its polecat, or the ready queue. */
  bounceTo: 'polecat' | 'ready';
  /** The agent preset `sling` uses when none is given; unset: the first real agent on the PATH (docs/agents.md). */
  defaultAgent?: string | undefined;
  /** Whether agents may update themselves inside polecats (false: presets switch it off; docs/agents.md). */
  agentSelfUpdate: boolean;
  /** The main branch polecats branch from and the refinery lands on. */
  mainBranch: string;
  /** What the daemon does with a polecat whose pty was lost in a crash. */
  onLostPolecat: 'restart' | 'ready';
  /** The TUI's prefix key, tmux notation (C-b). */
  prefixKey: string;
  /** Theme name (themes/<name>.json) or path. */
  theme: string;
  /** Scrollback lines kept per pane by the daemon. */
  scrollback: number;
  /** The witness: seconds without output before a polecat reads as idle. */
  idleSeconds: number;
  /** The witness: minutes without output, while holding a bead, before a polecat reads as stuck. */
  stuckMinutes: number;
  /** The scheduler (`citadel town start`): max polecats, per-agent limits and labels (docs/scheduler.md). */
  scheduler: SchedulerConfig;
  /** The witness's escalation ladder for idle or stuck polecats (docs/scheduler.md). */
  escalation: EscalationConfig;
}

export const defaultConfig: TownConfig = {
  name: 'town',
  review: 'none',
  prefix: 'ct',
  gates: [],
  gateTimeoutSeconds: 600,
  mergeMode: 'rebase',
  bounceTo: 'polecat',
  agentSelfUpdate: false,
  mainBranch: 'main',
  onLostPolecat: 'restart',
  prefixKey: 'C-b',
  theme: 'dark',
  scrollback: 2_000,
  idleSeconds: 15,
  stuckMinutes: 10,
  scheduler: defaultSchedulerConfig,
  escalation: defaultEscalationConfig,
};

type Check = (value: unknown) => boolean;
const isString: Check = (v) => typeof v === 'string' && v.length > 0;
const isArgvList: Check = (v) =>
  Array.isArray(v) && v.every((argv) => Array.isArray(argv) && argv.length > 0 && argv.every((a) => typeof a === 'string'));
const isPositiveInt: Check = (v) => Number.isInteger(v) && (v as number) > 0;
const oneOf = (...allowed: string[]): Check => (v) => typeof v === 'string' && allowed.includes(v);

const checks: { [K in keyof TownConfig]: [Check, string] } = {
  name: [isTownName, `the town's name in actors' addresses (entity://citadel/<name>/…): ${TOWN_NAME_RULE}`],
  review: [oneOf('none', 'required'), '"none" or "required" (the refinery waits for `citadel approve` after the gates)'],
  prefix: [(v) => typeof v === 'string' && /^[a-z][a-z0-9]{0,7}$/.test(v), 'a lowercase word of 1–8 letters/digits'],
  gates: [isArgvList, 'a list of argv arrays, e.g. [["npm","test"]]'],
  gateTimeoutSeconds: [isPositiveInt, 'a positive integer'],
  mergeMode: [oneOf('rebase', 'merge'), '"rebase" or "merge"'],
  bounceTo: [oneOf('polecat', 'ready'), '"polecat" or "ready"'],
  defaultAgent: [isString, 'a preset name'],
  agentSelfUpdate: [(v) => typeof v === 'boolean', 'true or false'],
  mainBranch: [isString, 'a branch name'],
  onLostPolecat: [oneOf('restart', 'ready'), '"restart" or "ready"'],
  prefixKey: [isString, 'a key such as "C-b"'],
  theme: [isString, 'a theme name'],
  scrollback: [isPositiveInt, 'a positive integer'],
  idleSeconds: [isPositiveInt, 'a positive integer (seconds of quiet before a polecat is idle)'],
  stuckMinutes: [isPositiveInt, 'a positive integer (minutes of quiet before a polecat holding a bead is stuck)'],
  scheduler: [(v) => checkSchedulerSection(v) === null, ''],
  escalation: [(v) => checkEscalationSection(v) === null, ''],
};

/** What a section is wrong about (its own words), for the sections with nested keys. */
const sectionProblem: Partial<Record<keyof TownConfig, (value: unknown) => string | null>> = { scheduler: checkSchedulerSection, escalation: checkEscalationSection };
const sectionValue: Partial<Record<keyof TownConfig, (value: unknown) => unknown>> = { scheduler: schedulerSection, escalation: escalationSection };

/** Parses a config file's text; errors name the file and the key. */
export function parseConfig(text: string, file: string): TownConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CitadelError('invalid', `${file}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CitadelError('invalid', `${file}: expected a JSON object`);
  }
  const config: Record<string, unknown> = { ...defaultConfig, name: defaultTownName(file) };
  for (const [key, value] of Object.entries(raw)) {
    const check = checks[key as keyof TownConfig];
    if (!check) throw new CitadelError('invalid', `${file}: unknown key "${key}" (known: ${Object.keys(checks).join(', ')})`);
    if (!check[0](value)) throw new CitadelError('invalid', `${file}: "${key}" must be ${sectionProblem[key as keyof TownConfig]?.(value) ?? check[1]}`);
    config[key] = sectionValue[key as keyof TownConfig]?.(value) ?? value;
  }
  const parsed = config as unknown as TownConfig;
  if (parsed.stuckMinutes * 60 < parsed.idleSeconds) {
    throw new CitadelError('invalid', `${file}: "stuckMinutes" (${parsed.stuckMinutes} min) must not be shorter than "idleSeconds" (${parsed.idleSeconds} s): a polecat is idle before it is stuck`);
  }
  return parsed;
}

/** The name of a town whose config.json (`file`, in `<root>/.citadel/`) has none: its folder's. */
export function defaultTownName(file: string): string {
  return townNameFrom(basename(dirname(dirname(resolve(file)))));
}

/**
 * Reads `.citadel/config.json`: the defaults when it is missing; one line naming the file,
 * what is wrong and how to fix it when it is a link, a folder, unreadable or invalid.
 */
export function loadConfig(file: string): TownConfig {
  let text: string;
  try {
    text = readRegularFile(file, 'the town config must be a JSON file: move it away and run `citadel init` to write a fresh one');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ...defaultConfig, name: defaultTownName(file) };
    if (code === 'EACCES' || code === 'EPERM') {
      throw new CitadelError('invalid', `${file}: cannot be read (permission denied): make it readable (\`chmod u+r ${file}\`)`);
    }
    if (error instanceof CitadelError) throw error;
    throw new CitadelError('invalid', `${file}: cannot be read (${(error as Error).message})`);
  }
  return parseConfig(text, file);
}
