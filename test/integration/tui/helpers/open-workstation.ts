import { join } from 'node:path';
import { Workstation, type WorkstationOptions } from '../../../../src/tui/shell/workstation.js';
import { tempDir, waitFor } from '../../../helpers/temp.js';
import { LocalPaneSource } from './local-source.js';
import { FakeKeys, OuterTerminal } from './outer-terminal.js';

export interface OpenWorkstation {
  readonly source: LocalPaneSource;
  readonly outer: OuterTerminal;
  readonly keys: FakeKeys;
  readonly ws: Workstation;
  readonly dir: { readonly path: string };
  /** The outer terminal's text once its output has settled. */
  screen(): Promise<string>;
  /** Waits (10 s at most) until the screen passes `check`; the failure shows the screen. */
  until(what: string, check: (text: string) => boolean): Promise<unknown>;
}

export interface OpenOptions {
  readonly cols?: number;
  readonly rows?: number;
  /** Panes to spawn before the workstation starts. */
  readonly setup?: (source: LocalPaneSource) => void;
  /** Options of the workstation beyond the ones every test shares (prefix C-b, no env, a copy file in a temp dir). */
  readonly options?: Partial<WorkstationOptions>;
  /** false: the caller starts it (e.g. to watch what happens while it starts). */
  readonly start?: boolean;
}

/**
 * A workstation on local ptys (no daemon) in an in-memory outer terminal, as the shell's tests
 * drive it: keys typed through FakeKeys, the screen read as text. Its teardown is pushed on
 * `cleanups` (run them in afterEach, newest first).
 */
export async function openWorkstation(cleanups: Array<() => void | Promise<void>>, opts: OpenOptions = {}): Promise<OpenWorkstation> {
  const source = await LocalPaneSource.create();
  opts.setup?.(source);
  const outer = new OuterTerminal(opts.cols ?? 140, opts.rows ?? 30);
  const keys = new FakeKeys();
  const dir = tempDir();
  const ws = new Workstation({
    stdin: keys,
    stdout: outer,
    source,
    town: { root: dir.path, name: 'testtown' },
    prefixKey: 'C-b',
    env: {},
    copyFile: join(dir.path, 'copy.txt'),
    resizeDebounceMs: 10,
    ...opts.options,
  });
  cleanups.push(() => {
    ws.stop();
    source.close();
    outer.dispose();
    dir.dispose();
  });
  if (opts.start !== false) await ws.start();
  const screen = async (): Promise<string> => {
    await outer.settle();
    return outer.text();
  };
  const until = (what: string, check: (text: string) => boolean): Promise<unknown> =>
    waitFor(async () => check(await screen()), `${what}; screen:\n${outer.text()}`, { timeoutMs: 10_000 });
  return { source, outer, keys, ws, dir, screen, until };
}
