import { createHash } from 'node:crypto';

/**
 * Trust (docs/refinery.md, "Trust"): the commands a town's files ask this machine to run —
 * the gates of `.citadel/config.json`, the `Gate:` lines of the town's molecules, and the
 * `gate` of each step bead — run only once this user trusted them here, as direnv and mise do
 * for `.envrc` and `mise.toml`. A fresh clone, a `git pull`, a polecat's pour or a `bead
 * import` can all bring commands; none of them runs until `citadel trust` (or the first
 * `citadel init` here) records a hash of exactly what was reviewed. Pure: what to compare;
 * the store and the town's files are read by trust-store.ts.
 */

/** What this user trusted in one town, kept outside the repository (trust-store.ts). */
export interface TrustRecord {
  readonly version: 1;
  /** The town's real path: a record never applies to another folder. */
  readonly town: string;
  readonly trusted_at: string;
  /** Hash of config.json's `gates` as trusted; null when they never were. */
  readonly gates: string | null;
  /** Town molecule name → hash of its file as trusted. */
  readonly molecules: Readonly<Record<string, string>>;
  /** Step bead id → hash of its `gate` as trusted (poured here, or reviewed by `citadel trust`). */
  readonly steps: Readonly<Record<string, string>>;
}

/** The commands a town's files hold now. */
export interface TownCommands {
  readonly gates: readonly (readonly string[])[];
  readonly molecules: readonly { readonly name: string; readonly file: string; readonly text: string; readonly gates: readonly string[] }[];
  readonly steps: readonly { readonly id: string; readonly gate: unknown; readonly createdBy: string }[];
}

/** Hash of a value's JSON (sha256, hex): what a record keeps instead of the text. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value) ?? 'null').digest('hex');
}

export type TrustState = 'trusted' | 'new' | 'changed';

/** One line of a review: what a `citadel trust` would (re)trust. */
export interface TrustItem {
  readonly kind: 'gates' | 'molecule' | 'step';
  /** `config.json`, a molecule's file, or a step bead's id. */
  readonly name: string;
  /** The commands it holds, as shown to the person. */
  readonly commands: readonly string[];
  readonly state: TrustState;
  /** Who wrote it, for a step: its bead's creator. */
  readonly by?: string;
}

/** Compares what the town holds now with what was trusted. Items without a command are left out. */
export function reviewTrust(commands: TownCommands, record: TrustRecord | undefined): TrustItem[] {
  const items: TrustItem[] = [];
  const state = (trusted: string | null | undefined, now: string): TrustState => (trusted === undefined || trusted === null ? 'new' : trusted === now ? 'trusted' : 'changed');
  const gatesNow = fingerprint(commands.gates);
  if (commands.gates.length > 0 || (record?.gates != null && record.gates !== gatesNow)) {
    items.push({ kind: 'gates', name: 'config.json', commands: commands.gates.map(showArgv), state: state(record?.gates, gatesNow) });
  }
  for (const molecule of commands.molecules) {
    if (molecule.gates.length === 0 && record?.molecules[molecule.name] === undefined) continue;
    items.push({ kind: 'molecule', name: molecule.file, commands: molecule.gates, state: state(record?.molecules[molecule.name], fingerprint(molecule.text)) });
  }
  for (const step of commands.steps) {
    items.push({ kind: 'step', name: step.id, commands: [showGate(step.gate)], state: state(record?.steps[step.id], fingerprint(step.gate)), by: step.createdBy });
  }
  return items;
}

/** The record that trusts everything the town holds now. */
export function trustAll(town: string, commands: TownCommands, now: Date): TrustRecord {
  return {
    version: 1,
    town,
    trusted_at: now.toISOString(),
    gates: fingerprint(commands.gates),
    molecules: Object.fromEntries(commands.molecules.map((m) => [m.name, fingerprint(m.text)])),
    steps: Object.fromEntries(commands.steps.map((s) => [s.id, fingerprint(s.gate)])),
  };
}

/**
 * Whether the refinery may run config.json's `gates`: they must be exactly what was trusted.
 * No gates and no record is the one case with nothing to trust; gates that went away since
 * they were trusted are a change too, so a pull cannot quietly land branches ungated.
 */
export function gatesTrusted(record: TrustRecord | undefined, gates: readonly (readonly string[])[]): string | undefined {
  const now = fingerprint(gates);
  if (record?.gates === now) return undefined;
  if (!record?.gates && gates.length === 0) return undefined;
  if (!record?.gates) {
    return 'the town\'s gates are not trusted on this machine yet (a fresh clone?): review .citadel/config.json and run `citadel trust`';
  }
  return 'the town\'s gates changed since you trusted them: review .citadel/config.json and run `citadel trust`';
}

/** Whether the refinery may run a step bead's `gate`: it must be what was poured here or reviewed. */
export function stepGateTrusted(record: TrustRecord | undefined, id: string, gate: unknown): string | undefined {
  const trusted = record?.steps[id];
  if (trusted === fingerprint(gate)) return undefined;
  const what = `the gate \`${showGate(gate)}\` of step ${id}`;
  if (trusted === undefined) {
    return `${what} is not trusted on this machine (it was not poured here by you: a polecat's pour, an import or a clone): review it with \`citadel trust --show\` and run \`citadel trust\``;
  }
  return `${what} changed since you trusted it: review it with \`citadel trust --show\` and run \`citadel trust\``;
}

/** An argv as a person would type it. */
export function showArgv(argv: readonly string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function showGate(gate: unknown): string {
  if (typeof gate === 'string') return gate;
  if (Array.isArray(gate) && gate.every((part) => typeof part === 'string')) return showArgv(gate as string[]);
  return JSON.stringify(gate);
}
