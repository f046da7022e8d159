import { openTown, type Town } from '../town/town.js';

/**
 * What a command runs against: its world passed in (STYLE.md §7), so commands can be run
 * in-process by tests and by the MCP server as well as from the real binary.
 */
export interface CliContext {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Writes to standard output / error as given (add your own newline). */
  out(text: string): void;
  err(text: string): void;
  /** Prints a value as JSON on stdout (pretty, one trailing newline). */
  json(value: unknown): void;
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

export function createContext(world: World, townOption: string | undefined): CliContext & { dispose(): void } {
  let opened: Town | undefined;
  return {
    cwd: world.cwd,
    env: world.env,
    townOption,
    out: world.stdout,
    err: world.stderr,
    json: (value) => world.stdout(`${JSON.stringify(value, null, 2)}\n`),
    town: () => (opened ??= openTown({ cwd: world.cwd, env: world.env, explicit: townOption })),
    dispose: () => opened?.close(),
  };
}
