import { terminalSafeJson, visibleText } from '../common/visible-text.js';
import type * as TownModule from '../town/town.js';
import type { Town } from '../town/town.js';

/**
 * The town module (and with it the journal, ~30 modules) is loaded only when a command runs:
 * `citadel --version` and `--help` never open a town, so they do not pay for it (docs/cli.md,
 * "Startup"). `main` awaits this before any action; `town()` then opens synchronously.
 */
let townModule: typeof TownModule | undefined;

export async function loadTownSupport(): Promise<void> {
  townModule ??= await import('../town/town.js');
}

/**
 * What a command runs against: its world passed in (STYLE.md §7), so commands can be run
 * in-process by tests and by the MCP server as well as from the real binary.
 *
 * Output safety (docs/cli.md, "Output safety"): what a command prints may hold text from the
 * journal, which any agent can write. `out` and `err` make every control character visible
 * (keeping newlines and tabs), so no escape sequence in a title or a body reaches the
 * terminal; the formatters also keep each title on its one line. `json` keeps the data exact.
 */
export interface CliContext {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Writes text for a person to standard output / error, controls made visible (add your own newline). */
  out(text: string): void;
  err(text: string): void;
  /** Prints a value as JSON on stdout (pretty, one trailing newline); exact, and terminal-safe. */
  json(value: unknown): void;
  /**
   * Writes to standard output exactly as given: only for data the caller made safe itself
   * (`bead export`'s JSON Lines) or citadel's own styling (the scripted agent's colours).
   */
  raw(text: string): void;
  /** The town this command acts on (opened once, on first use; closed by main). */
  town(): Town;
  /** `--town DIR`, if given. */
  readonly townOption: string | undefined;
}

export interface World {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** A value as citadel prints JSON: pretty, exact, with C1 and bidi controls as \u escapes. */
export function jsonText(value: unknown, indent = 2): string {
  // JSON.stringify(undefined) is undefined: print null, which is still JSON.
  return `${terminalSafeJson(JSON.stringify(value, null, indent) ?? 'null')}\n`;
}

export function createContext(world: World, townOption: string | undefined): CliContext & { dispose(): void } {
  let opened: Town | undefined;
  return {
    cwd: world.cwd,
    env: world.env,
    townOption,
    out: (text) => world.stdout(visibleText(text)),
    err: (text) => world.stderr(visibleText(text)),
    json: (value) => world.stdout(jsonText(value)),
    raw: (text) => world.stdout(text),
    town: () => {
      if (!townModule) throw new Error('the town module is not loaded: await loadTownSupport() first');
      return (opened ??= townModule.openTown({ cwd: world.cwd, env: world.env, explicit: townOption }));
    },
    dispose: () => opened?.close(),
  };
}
