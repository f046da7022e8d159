// Issue 18's workstation budgets on the 100k-bead / ~870k-event town (bench/scale-town.js builds
// and caches it: `npm run bench:scale`): `citadel` opened in a real pty (node-pty) on a copy of
// the cached town, the daemon already running. Prints the time to the first full frame (the
// board's counts drawn), keystroke → frame p50/p99 on the board (j/k, typing into the filter
// form, applying a filter), and the time a bead's details take to open, with the workstation's
// CPU per key and the load average. Budgets: first frame ≤ 1 s, a key ≤ 33 ms, details ≤ 16 ms.
// Run alone: `node bench/tui-scale.js` (after `npm run build`), or `node bench/run.js tui-scale`.
// CITADEL_BENCH_TOWN=DIR uses that town instead of a copy of the cache (it is not modified
// beyond what the workstation writes: its layout file and the query index). CITADEL_BENCH_NODE_ARGS
// gives the workstation's node options (profiling: "--cpu-prof --cpu-prof-dir=DIR").
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILDER_VERSION, cacheRoot, copyTown } from './scale-town.js';

const require = createRequire(import.meta.url);
const pty = require('node-pty');
const bin = fileURLToPath(new URL('../bin/citadel.js', import.meta.url));
const cache = join(cacheRoot(), `town-100000-v${BUILDER_VERSION}`);
const COLS = 200;
const ROWS = 50;
// CITADEL_BENCH_NODE_ARGS: node options for the workstation, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
const nodeArgs = (process.env.CITADEL_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const ROUNDS = Number(process.env.CITADEL_BENCH_ROUNDS ?? 3);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const ms = (v) => `${v.toFixed(v < 10 ? 1 : 0)} ms`;
// eslint-disable-next-line no-control-regex
const plain = (text) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]/g, '');

function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The workstation in a pty: output searched (escape sequences removed) for patterns. */
class Screen {
  constructor(cwd, env) {
    this.text = '';
    this.total = 0;
    this.waiters = [];
    this.lastData = 0;
    this.proc = pty.spawn(process.execPath, [...nodeArgs, bin], { name: 'xterm-256color', cols: COLS, rows: ROWS, cwd, env });
    this.exited = new Promise((resolve) => this.proc.onExit(resolve));
    this.proc.onData((data) => {
      this.lastData = performance.now();
      const text = plain(data);
      this.total += text.length;
      this.text = (this.text + text).slice(-40_000);
      for (const waiter of [...this.waiters]) waiter();
    });
  }
  /** Resolves with the time `pattern` shows in the output written after `since` (a position in the text). */
  when(pattern, timeoutMs = 60_000) {
    const from = this.total;
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!pattern.test(this.text.slice(-(this.total - from + 200)))) return;
        this.waiters.splice(this.waiters.indexOf(check), 1);
        clearTimeout(timer);
        resolve(performance.now());
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(check), 1);
        reject(new Error(`timed out waiting for ${pattern} (screen tail: ${JSON.stringify(this.text.slice(-400))})`));
      }, timeoutMs);
      this.waiters.push(check);
    });
  }
  /** Writes `key` and resolves with the ms until the first output after it (the frame it caused). */
  key(key, timeoutMs = 10_000) {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const check = () => {
        this.waiters.splice(this.waiters.indexOf(check), 1);
        clearTimeout(timer);
        resolve(performance.now() - started);
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(check), 1);
        reject(new Error(`no frame within ${timeoutMs} ms after ${JSON.stringify(key)}`));
      }, timeoutMs);
      this.waiters.push(check);
      this.proc.write(key);
    });
  }
  /** Waits until nothing was written for `quietMs`. */
  async settle(quietMs = 250) {
    while (performance.now() - this.lastData < quietMs) await sleep(quietMs / 2);
  }
  kill() {
    try {
      this.proc.kill();
    } catch {
      // gone
    }
  }
}

/** Keys as the terminal sends them. */
const KEY = { panels: '\x02\t', enter: '\r', esc: '\x1b', backspace: '\x7f' };

/** Times each of `keys` (after the previous one's frame and a short quiet). */
async function timeKeys(screen, keys) {
  const times = [];
  const cpuBefore = cpuMs(screen.proc.pid);
  for (const key of keys) {
    times.push(await screen.key(key));
    await screen.settle(60);
  }
  return { times, cpuPerKey: (cpuMs(screen.proc.pid) - cpuBefore) / keys.length };
}

function report(name, { times, cpuPerKey }, budget) {
  console.log(`  ${name}: p50 ${ms(percentile(times, 50))}, p99 ${ms(percentile(times, 99))}, max ${ms(Math.max(...times))} over ${times.length} keys; workstation CPU ${cpuPerKey.toFixed(1)} ms/key (budget ${budget} ms) — load ${load()}`);
}

export async function run() {
  const given = process.env.CITADEL_BENCH_TOWN;
  if (!given && !existsSync(join(cache, 'repo'))) {
    console.log(`no cached 100k town at ${cache}: run \`npm run bench:scale\` first (it builds it, ~75 s+)`);
    return;
  }
  const root = mkdtempSync(join(tmpdir(), 'citadel-bench-tui-scale-'));
  const runtime = join(root, 'rt');
  mkdirSync(runtime, { mode: 0o700 });
  const repo = given ?? join(root, 'repo');
  const env = { ...process.env, CITADEL_RUNTIME_DIR: runtime, CITADEL_NO_REFINERY: '1', CITADEL_ACTOR: 'overseer', TERM: 'xterm-256color', NODE_ENV: 'production' };
  delete env.NO_COLOR;
  delete env.CITADEL_NO_QUERY_INDEX;
  try {
    if (!given) {
      const copyStarted = performance.now();
      copyTown(cache, repo);
      console.log(`copied the cached town (${JSON.parse(readFileSync(join(cache, 'built.json'), 'utf8')).beads.toLocaleString('en')} beads) in ${((performance.now() - copyStarted) / 1000).toFixed(1)} s`);
    }
    // The query index is built once by the first command on the town (not part of what is measured).
    let started = performance.now();
    execFileSync(process.execPath, [bin, 'ready', '--json'], { cwd: repo, env, stdio: 'ignore' });
    console.log(`query index ready (first command) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    started = performance.now();
    execFileSync(process.execPath, [bin, 'daemon', 'start'], { cwd: repo, env, stdio: 'ignore' });
    // A daemon on a big town may take a while before it answers; the workstation is measured against a ready one.
    // (It answers a first status, then reads the town: wait until it answers at once, three times.)
    for (let tries = 0, quick = 0; quick < 3; tries++) {
      const asked = performance.now();
      try {
        execFileSync(process.execPath, [bin, 'daemon', 'status'], { cwd: repo, env, stdio: 'ignore', timeout: 30_000 });
        quick = performance.now() - asked < 1500 ? quick + 1 : 0;
      } catch (error) {
        if (tries > 60) throw error;
        quick = 0;
      }
      await sleep(1000);
    }
    console.log(`daemon started and answering in ${((performance.now() - started) / 1000).toFixed(1)} s — load ${load()}`);

    const firsts = [];
    let screen;
    for (let round = 0; round < ROUNDS; round++) {
      screen = new Screen(repo, env);
      const opened = performance.now();
      const at = await screen.when(/\d+ ready · \d+ working · \d+ blocked/);
      firsts.push(at - opened);
      if (round < ROUNDS - 1) {
        await screen.settle();
        screen.proc.write('\x02d');
        await screen.when(/detached/).catch(() => undefined);
        screen.kill();
      }
    }
    console.log(`100k town, workstation in a ${COLS}×${ROWS} pty, daemon running:`);
    console.log(`  first full frame (the board's counts drawn): ${firsts.map(ms).join(', ')} (budget 1000 ms) — load ${load()}`);
    await screen.settle(500);
    // The keyboard to the panels (prefix Tab; the board has the focus there).
    await screen.key(KEY.panels);
    await screen.settle(300);

    const moves = [];
    for (let i = 0; i < 120; i++) moves.push(i % 40 < 30 ? 'j' : 'k');
    report('board j/k', await timeKeys(screen, moves), 33);

    // Details: Enter opens the selected bead's, Esc goes back.
    const details = [];
    const detailsCpu = cpuMs(screen.proc.pid);
    for (let i = 0; i < 20; i++) {
      const opened = performance.now();
      const shown = screen.when(/esc: back/);
      screen.proc.write(KEY.enter);
      details.push((await shown) - opened);
      await screen.settle(100);
      await screen.key(KEY.esc);
      await screen.settle(100);
      await screen.key('j');
      await screen.settle(60);
    }
    console.log(`  details open (Enter → the bead's panel drawn): p50 ${ms(percentile(details, 50))}, p99 ${ms(percentile(details, 99))}, max ${ms(Math.max(...details))} over ${details.length}; CPU incl. back and a move ${((cpuMs(screen.proc.pid) - detailsCpu) / details.length).toFixed(1)} ms (budget 16 ms) — load ${load()}`);

    // The filter: / opens its form, each letter typed is a key, Enter applies it.
    const typing = [];
    const applying = [];
    let cpuTyping = 0;
    for (const word of ['task', '#ui', 'type:bug']) {
      await screen.key('/');
      await screen.settle(200);
      const typed = await timeKeys(screen, [...word]);
      typing.push(...typed.times);
      cpuTyping += typed.cpuPerKey * word.length;
      const apply = performance.now();
      const shown = screen.when(/\d+ shown/);
      screen.proc.write(KEY.enter);
      applying.push((await shown) - apply);
      await screen.settle(200);
      await screen.key('x'); // clears the filter
      await screen.settle(300);
    }
    report('filter typing', { times: typing, cpuPerKey: cpuTyping / typing.length }, 33);
    console.log(`  filter applied (Enter → the filtered board drawn): ${applying.map(ms).join(', ')} for "task", "#ui", "type:bug" (budget 33 ms) — load ${load()}`);
    screen.proc.write('\x02d');
    await screen.when(/detached/).catch(() => undefined);
    // Its own exit (a --cpu-prof profile is written then), for at most 10 s.
    await Promise.race([screen.exited, sleep(10_000)]);
    screen.kill();
  } finally {
    try {
      execFileSync(process.execPath, [bin, 'daemon', 'stop'], { cwd: repo, env, stdio: 'ignore' });
    } catch {
      // not running
    }
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
