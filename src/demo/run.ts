import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CitadelError } from '../common/errors.js';
import { gitLines } from '../git/run.js';
import { daemonStatus, ensureDaemon, stopDaemon } from '../daemon/lifecycle.js';
import { allPolecats } from '../model/polecat.js';
import { openTownAt, type Town } from '../town/town.js';
import { isBusy, runDispatcher, type DispatchOutcome } from './dispatcher.js';
import { demoGate } from './project.js';
import { buildDemoTown, citadelBin, demoDirectory, type DemoTown } from './setup.js';
import { countDemo, problemsOf, renderReport, type DemoReport } from './summary.js';

export interface DemoOptions {
  readonly dir?: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  /** Give up after this long (the whole run, setup included). */
  readonly timeoutMs: number;
  /** At most this many polecats at once. */
  readonly maxPolecats: number;
  readonly out: (text: string) => void;
  /** Progress lines as the town works (headless). */
  readonly progress: (line: string) => void;
}

/** Polecats in the demo take this long per step unless $CITADEL_SCRIPTED_DELAY_MS says otherwise. */
const HEADLESS_DELAY_MS = '40';
const TUI_DELAY_MS = '700';

/** The environment the demo's daemon (and so its polecats) runs with: the town's, not the caller's. */
function townEnv(env: NodeJS.ProcessEnv, delayMs: string): NodeJS.ProcessEnv {
  return { ...env, CITADEL_SCRIPTED_DELAY_MS: env.CITADEL_SCRIPTED_DELAY_MS || delayMs, CITADEL_TOWN: '', CITADEL_POLECAT: '', CITADEL_BEAD: '', CITADEL_ACTOR: '' };
}

/** Makes the demo town (printing where), and returns it. */
export async function setUpDemo(options: Pick<DemoOptions, 'dir' | 'env' | 'out'>): Promise<DemoTown> {
  const root = demoDirectory(options.dir);
  options.out(`Making the demo town in ${root}: textkit (a small JavaScript library), a git repository, ${'a dozen beads and a quick-fix molecule'}…\n`);
  return buildDemoTown(root, options.env);
}

/**
 * `citadel demo --no-tui`: builds the town, runs it to the end with the dispatcher in this
 * process and the refinery in the daemon, stops everything, checks the town ended healthy and
 * returns the report (the caller prints it and sets the exit code).
 */
export async function runHeadlessDemo(options: DemoOptions, signal?: AbortSignal): Promise<DemoReport> {
  const started = Date.now();
  const demo = await setUpDemo(options);
  const env = townEnv(options.env, HEADLESS_DELAY_MS);
  const town = openTownAt(demo.root, 'overseer');
  let outcome: DispatchOutcome | undefined;
  try {
    outcome = await runDispatcher({
      town,
      env,
      maxPolecats: options.maxPolecats,
      deadline: started + options.timeoutMs,
      log: (line) => options.progress(`${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s  ${line}`),
      ...(signal ? { signal } : {}),
    });
    // Each agent exits right after `citadel done`; give the last ones a moment to go.
    await until(() => !allPolecats(town.journal.read()).some(isBusy), 15_000);
  } finally {
    await stopDaemon(demo.root, { env }).catch(() => undefined);
  }
  try {
    return await report(town, demo, env, started, outcome?.stopped);
  } finally {
    town.close();
  }
}

async function report(town: Town, demo: DemoTown, env: NodeJS.ProcessEnv, started: number, stopped: string | undefined): Promise<DemoReport> {
  const state = town.journal.read();
  const counts = countDemo(state, demo.epic);
  const gate = await mainGate(demo.root);
  const status = await daemonStatus(demo.root, { env });
  const base = {
    dir: demo.root,
    counts,
    mainGreen: gate.ok,
    gateOutput: gate.output,
    polecatsRunning: allPolecats(state).filter((p) => p.pid !== null).length,
    daemonStopped: !status.running,
    durationMs: Date.now() - started,
  };
  const problems = problemsOf(base, stopped);
  return { ...base, healthy: problems.length === 0, problems };
}

/** Runs the gate on main as checked out in the demo's working tree (where the refinery lands). */
async function mainGate(root: string): Promise<{ ok: boolean; output: string }> {
  const dirty = await gitLines(root, ['status', '--porcelain', '--untracked-files=no']);
  if (dirty === undefined || dirty.length > 0) {
    return { ok: false, output: dirty === undefined ? 'git status failed in the demo town' : `the working tree has changes: ${dirty.join(', ')}` };
  }
  const [file, ...args] = demoGate;
  return new Promise((resolve) => {
    execFile(file!, args, { cwd: root, encoding: 'utf8', timeout: 60_000 }, (gateError, stdout, stderr) => {
      const last = `${stdout}${stderr}`.trim().split('\n').filter(Boolean);
      resolve({ ok: !gateError, output: last.at(-1) ?? '' });
    });
  });
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

export { renderReport };

/** Where a TUI demo's detached dispatcher writes its pid while it runs (SIGTERM stops it). */
export const dispatcherPidFile = (root: string): string => join(root, '.citadel', 'run', 'demo-dispatcher.pid');

/**
 * `citadel demo` with the workstation: builds the town, starts its daemon, starts the
 * dispatcher as its own detached process (`citadel demo --drive`, logging to
 * `.citadel/logs/demo.log`) so the town keeps working after the person detaches, and returns
 * the town for the caller to open the workstation on.
 */
export async function startTuiDemo(options: Pick<DemoOptions, 'dir' | 'env' | 'out' | 'timeoutMs' | 'maxPolecats'>): Promise<{ demo: DemoTown; env: NodeJS.ProcessEnv; log: string; pid: number | undefined }> {
  const demo = await setUpDemo(options);
  const env = townEnv(options.env, TUI_DELAY_MS);
  const { client } = await ensureDaemon(demo.root, { env, client: 'cli' });
  client.close();
  const log = join(demo.root, '.citadel', 'logs', 'demo.log');
  const fd = openSync(log, 'a', 0o600);
  try {
    const child = spawn(process.execPath, [citadelBin, 'demo', '--drive', demo.root, '--timeout', String(Math.round(options.timeoutMs / 1000)), '--polecats', String(options.maxPolecats)], {
      cwd: demo.root,
      env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    child.unref();
    // Written here too (the child writes it again), so it exists from the first moment on.
    if (child.pid) writeFileSync(dispatcherPidFile(demo.root), `${child.pid}\n`);
    return { demo, env, log, pid: child.pid };
  } finally {
    closeSync(fd);
  }
}

/**
 * `citadel demo --drive DIR` (hidden): the dispatcher alone on an existing demo town, until
 * every bead is closed or the timeout. Leaves the daemon running (the workstation is on it).
 */
export async function driveDemo(root: string, options: Pick<DemoOptions, 'env' | 'timeoutMs' | 'maxPolecats' | 'progress'>): Promise<DispatchOutcome> {
  const started = Date.now();
  let town: Town;
  try {
    town = openTownAt(root, 'overseer');
  } catch (error) {
    throw new CitadelError('not_found', `${root} is not a demo town: ${(error as Error).message}`);
  }
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGTERM', stop);
  const pidFile = dispatcherPidFile(root);
  writeFileSync(pidFile, `${process.pid}\n`);
  try {
    return await runDispatcher({
      town,
      env: options.env,
      maxPolecats: options.maxPolecats,
      deadline: started + options.timeoutMs,
      signal: controller.signal,
      daemon: 'attach',
      log: (line) => options.progress(`${new Date().toISOString()} ${line}`),
    });
  } finally {
    process.off('SIGTERM', stop);
    rmSync(pidFile, { force: true });
    town.close();
  }
}
