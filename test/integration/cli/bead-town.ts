import { runCli, runJson, type CliResult } from '../../helpers/cli.js';
import { makeRepo } from '../../helpers/git.js';
import type { Bead } from '../../../src/model/index.js';

/** A real town in a temp git repo (`citadel init`), and shorthands to drive the built binary in it. */
export interface TestTown {
  readonly path: string;
  /** Runs `citadel ARGS` as ACTOR (default overseer). */
  run(args: readonly string[], options?: { actor?: string; input?: string }): Promise<CliResult>;
  /** Runs with --json and parses stdout; throws with stderr on a non-zero exit. */
  json<T = Bead>(args: readonly string[], options?: { actor?: string; input?: string }): Promise<T>;
  /** Creates a bead and returns it. */
  create(title: string, ...flags: string[]): Promise<Bead>;
  /** Every bead (messages included), for "nothing was written" checks. */
  all(): Promise<Bead[]>;
  dispose(): void;
}

export async function makeTown(prefix?: string): Promise<TestTown> {
  const repo = makeRepo();
  const env = (actor?: string) => ({ CITADEL_ACTOR: actor ?? 'overseer' });
  const run: TestTown['run'] = (args, options = {}) =>
    runCli(args, { cwd: repo.path, env: env(options.actor), ...(options.input !== undefined ? { input: options.input } : {}) });
  const json: TestTown['json'] = (args, options = {}) =>
    runJson(args, { cwd: repo.path, env: env(options.actor), ...(options.input !== undefined ? { input: options.input } : {}) });
  const init = await run(['init', ...(prefix ? ['--prefix', prefix] : [])]);
  if (init.code !== 0) throw new Error(`citadel init failed: ${init.stderr}`);
  return {
    path: repo.path,
    run,
    json,
    create: (title, ...flags) => json<Bead>(['bead', 'create', title, ...flags]),
    all: () => json<Bead[]>(['bead', 'list', '--all']),
    dispose: repo.dispose,
  };
}

/** The parsed `{"error":{code,message}}` of a --json failure. */
export function jsonError(result: CliResult): { code: string; message: string } {
  return (JSON.parse(result.stderr) as { error: { code: string; message: string } }).error;
}

/** Runs `fn` over `items`, at most `width` at a time, keeping the order of results. */
export async function inBatches<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width) results.push(...(await Promise.all(items.slice(i, i + width).map(fn))));
  return results;
}
