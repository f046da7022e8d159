// Workstation budgets (issue 6), citadel against tmux, each inside an outer pty of the same size
// (160×46), interleaved in one run. Prints figures and ratios; never fails on a time.
//   - 50 MB through one pane until its last line is on the outer screen
//   - 4 panes streaming at once, with keystroke echo p99 in a fifth
//   - keystroke echo in an idle pane (p50 / p99)
//   - idle CPU with 8 idle panes
//   - attach to 8 panes until the full frame; first frame after `citadel`
// Env: CITADEL_BENCH_MB (default 50), CITADEL_BENCH_ROUNDS (default 2), CITADEL_BENCH_ONLY (parts).
// Also runs the panels' board benchmark (bench/tui-board.js) when present.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { ensureDaemon, stopDaemon } from '../dist/daemon/lifecycle.js';
import { idleOnePane, thirtyPolecats } from './tui-budgets.js';

const require = createRequire(import.meta.url);
const pty = require('node-pty');
const bin = fileURLToPath(new URL('../bin/citadel.js', import.meta.url));
const COLS = 160;
const ROWS = 46;
const MB = Number(process.env.CITADEL_BENCH_MB ?? 50);
const ROUNDS = Number(process.env.CITADEL_BENCH_ROUNDS ?? 2);
/** CITADEL_BENCH_ONLY=throughput,four,echo,idle,first,idle1,scale30,board runs some parts only. */
const ONLY = process.env.CITADEL_BENCH_ONLY?.split(',');
const wanted = (part) => !ONLY || ONLY.includes(part);
/**
 * How long the workstation settles before a measure: the panes take their sizes, and the panels
 * (their import blocks the workstation's loop ~0.4 s at start, then the panels resize the panes)
 * arrive. Start-up is measured on its own ("first frame"); keys typed in that first second wait.
 */
const SETTLE_MS = Number(process.env.CITADEL_BENCH_SETTLE_MS ?? 1500);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const median = (values) => percentile(values, 50);
const fmt = (ms) => `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;

/** CPU seconds used so far by a process (user + system). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A pane program that answers each input byte with a unique token (rewriting one line, as a prompt does), so an echo can be timed. */
const ECHO_PROGRAM = `process.stdin.setRawMode(true);let n=0;process.stdin.on('data',d=>{for(const _ of d.toString()){n++;process.stdout.write('\\r<k'+n+'>\\x1b[K');}});process.stdout.write('echo-ready\\r\\n');`;

/**
 * An outer terminal: a pty running `argv`, whose output is searched for markers. Only a short
 * tail is kept (a marker may straddle two reads), so reading 50 MB of screen updates stays cheap
 * for the benchmark itself.
 */
class Outer {
  constructor(argv, env, cwd) {
    this.tail = '';
    this.waiters = [];
    this.proc = pty.spawn(argv[0], argv.slice(1), { name: 'xterm-256color', cols: COLS, rows: ROWS, cwd, env });
    this.bytes = 0;
    this.proc.onData((data) => {
      this.bytes += data.length;
      const window = this.tail + data;
      this.tail = window.slice(-4096);
      for (const waiter of [...this.waiters]) waiter.see(window);
    });
  }
  /** Resolves with the time every one of `markers` has been seen (each at least once since the call, or in the tail). */
  when(markers, timeoutMs = 120_000) {
    const wanted = new Set(Array.isArray(markers) ? markers : [markers]);
    return new Promise((resolve, reject) => {
      const waiter = {
        see: (text) => {
          for (const m of [...wanted]) if (text.includes(m)) wanted.delete(m);
          if (wanted.size === 0) {
            this.waiters.splice(this.waiters.indexOf(waiter), 1);
            clearTimeout(timer);
            resolve(performance.now());
          }
        },
      };
      this.waiters.push(waiter);
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) {
          this.waiters.splice(i, 1);
          reject(new Error(`timed out waiting for ${[...wanted].join(', ')} on the outer terminal (tail: ${JSON.stringify(this.tail.slice(-300))})`));
        }
      }, timeoutMs);
      waiter.see(this.tail);
    });
  }
  write(data) {
    this.proc.write(data);
  }
  kill() {
    try {
      this.proc.kill();
    } catch {
      // gone
    }
  }
}


/** A temp town with its own daemon and runtime directory. */
async function makeTown() {
  const root = mkdtempSync(join(tmpdir(), 'citadel-bench-tui-'));
  const runtime = join(root, 'rt');
  mkdirSync(runtime, { mode: 0o700 });
  const repo = join(root, 'repo');
  mkdirSync(repo);
  const env = { ...process.env, CITADEL_RUNTIME_DIR: runtime, CITADEL_NO_REFINERY: '1', GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b', TERM: 'xterm-256color' };
  delete env.NO_COLOR;
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo, env });
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', 'init'], { cwd: repo, env });
  execFileSync(process.execPath, [bin, 'init'], { cwd: repo, env, stdio: 'ignore' });
  // CITADEL_BENCH_SCROLLBACK: the town's scrollback lines (the config's default otherwise).
  if (process.env.CITADEL_BENCH_SCROLLBACK) writeFileSync(join(repo, '.citadel', 'config.json'), JSON.stringify({ scrollback: Number(process.env.CITADEL_BENCH_SCROLLBACK) }));
  // The panels' remembered layout: hidden, so both sides compare the same pane area.
  // CITADEL_BENCH_DAEMON_TRACE=FILE: the daemon traces each echo's round trip and its GCs
  // (CITADEL_DAEMON_TRACE), and its log is copied to FILE at the end.
  const trace = process.env.CITADEL_BENCH_DAEMON_TRACE;
  let daemonEnv = trace ? { ...env, CITADEL_DAEMON_TRACE: '1' } : env;
  // CITADEL_BENCH_DAEMON_CPU_PROF=FILE: the daemon's CPU profile, written to FILE when it stops.
  if (process.env.CITADEL_BENCH_DAEMON_CPU_PROF) daemonEnv = { ...daemonEnv, CITADEL_DAEMON_CPU_PROF: process.env.CITADEL_BENCH_DAEMON_CPU_PROF };
  const { client } = await ensureDaemon(repo, { env: daemonEnv });
  let n = 0;
  return {
    root,
    repo,
    env,
    client,
    async spawn(argv) {
      const id = `p${++n}`;
      await client.request('spawn', { id, argv, cwd: repo, env: { TERM: 'xterm-256color' }, cols: 80, rows: 24 });
      return id;
    },
    async clearPanes() {
      for (const pane of await client.request('list')) await client.request('kill', { pane: pane.id, remove: true });
    },
    async dispose() {
      client.close();
      await stopDaemon(repo, { env });
      if (trace) writeFileSync(trace, `${readFileSync(join(repo, '.citadel', 'run', 'daemon.log'), 'utf8')}${keyTrace.join('\n')}\n`);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A private tmux server. */
function makeTmux(env) {
  const socket = `citadel-bench-${process.pid}`;
  const run = (...args) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { env, encoding: 'utf8' });
  return {
    socket,
    run,
    /** A session with one window split into `commands.length` tiled panes (detached). */
    session(name, commands) {
      run('new-session', '-d', '-s', name, '-x', String(COLS), '-y', String(ROWS - 1), commands[0]);
      run('set-option', '-t', name, 'status', 'on');
      for (const command of commands.slice(1)) {
        run('split-window', '-t', name, command);
        run('select-layout', '-t', name, 'tiled');
      }
    },
    attachArgv(name) {
      return ['tmux', '-L', socket, '-f', '/dev/null', 'attach', '-t', name];
    },
    clientPid() {
      return Number(run('list-clients', '-F', '#{client_pid}').trim().split('\n')[0]);
    },
    serverPid() {
      return Number(run('display-message', '-p', '#{pid}').trim());
    },
    kill() {
      try {
        run('kill-server');
      } catch {
        // not running
      }
      rmSync(join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
    },
  };
}

const shq = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Opens citadel attach in an outer pty and waits for `ready` on its screen. */
async function openCitadel(town, ready, env = {}) {
  const outer = new Outer([process.execPath, bin, 'attach'], { ...town.env, ...env }, town.repo);
  const start = performance.now();
  const at = await outer.when(ready);
  return { outer, ms: at - start, pid: outer.proc.pid };
}

async function closeCitadel(outer) {
  outer.write('\x02d');
  await outer.when('[detached').catch(() => undefined);
  outer.kill();
}

async function openTmux(tmux, name, env, ready) {
  const outer = new Outer(tmux.attachArgv(name), env, tmpdir());
  const start = performance.now();
  const at = await outer.when(ready);
  return { outer, ms: at - start };
}

async function throughput(town, tmux, file) {
  const results = { citadel: [], tmux: [] };
  const producer = (marker) => ['/bin/sh', '-c', `read x; cat ${shq(file)}; echo ${marker}; exec sleep 1000`];
  for (let round = 0; round < ROUNDS; round++) {
    {
      const marker = `END-C${round}-OF-STREAM`;
      await town.clearPanes();
      await town.spawn(producer(marker));
      await town.spawn(['/bin/sh', '-c', 'echo other; exec sleep 1000']);
      const { outer } = await openCitadel(town, 'other');
      await sleep(SETTLE_MS);
      const cpuBefore = [cpuSeconds(town.client.welcome.pid), cpuSeconds(outer.proc.pid)];
      const start = performance.now();
      outer.write('\r');
      const end = await outer.when(marker, 300_000);
      results.citadel.push(end - start);
      // CITADEL_BENCH_CPU: the CPU seconds each process spent on the drain.
      if (process.env.CITADEL_BENCH_CPU) console.log(`  cpu over the drain (${((end - start) / 1000).toFixed(2)} s): daemon ${(cpuSeconds(town.client.welcome.pid) - cpuBefore[0]).toFixed(2)} s; workstation ${(cpuSeconds(outer.proc.pid) - cpuBefore[1]).toFixed(2)} s; load ${loadavg()[0].toFixed(1)}`);
      await closeCitadel(outer);
    }
    {
      const marker = `END-T${round}-OF-STREAM`;
      const name = `thr${round}`;
      tmux.session(name, [producer(marker).map(shq).join(' '), `sh -c 'echo other; exec sleep 1000'`]);
      const { outer } = await openTmux(tmux, name, town.env, 'other');
      tmux.run('select-pane', '-t', `${name}.0`);
      await sleep(300);
      const pids = process.env.CITADEL_BENCH_CPU ? [tmux.serverPid(), tmux.clientPid()] : [];
      const cpuBefore = pids.map(cpuSeconds);
      const start = performance.now();
      outer.write('\r');
      const end = await outer.when(marker, 300_000);
      results.tmux.push(end - start);
      if (pids.length) console.log(`  tmux cpu over the drain (${((end - start) / 1000).toFixed(2)} s): server ${(cpuSeconds(pids[0]) - cpuBefore[0]).toFixed(2)} s; client ${(cpuSeconds(pids[1]) - cpuBefore[1]).toFixed(2)} s; load ${loadavg()[0].toFixed(1)}`);
      outer.kill();
      tmux.run('kill-session', '-t', name);
    }
  }
  return results;
}

/** Types `count` keys into the outer terminal, one every `gapMs`, and times each echo token. */
/** CITADEL_BENCH_DAEMON_TRACE: each key's epoch time and latency, appended to the daemon's trace. */
const keyTrace = [];

async function echoLatencies(outer, count, gapMs, offset) {
  const latencies = [];
  for (let i = 1; i <= count; i++) {
    const token = `<k${offset + i}>`;
    const start = performance.now();
    const seen = outer.when(token, 10_000);
    outer.write('x');
    latencies.push((await seen) - start);
    if (process.env.CITADEL_BENCH_DAEMON_TRACE) keyTrace.push(`key ${(performance.timeOrigin + start).toFixed(2)} took ${latencies.at(-1).toFixed(2)} ms`);
    await sleep(gapMs);
  }
  return latencies;
}

/** Hides the panels (their remembered layout), so five panes fit one page beside tmux's five; returns the undo. */
function hidePanels(town) {
  const file = join(town.repo, '.citadel', 'run', 'layout.json');
  const hidden = { board: { visible: false, weight: 4 }, lane: { visible: false, weight: 2 }, inbox: { visible: false, weight: 2 }, feed: { visible: false, weight: 2 } };
  mkdirSync(join(town.repo, '.citadel', 'run'), { recursive: true });
  writeFileSync(file, JSON.stringify({ panels: hidden, width: 30 }));
  return () => rmSync(file, { force: true });
}

/**
 * The machine's own share of an echo: the same echo program on a pty of the benchmark itself (no
 * daemon, no workstation), typed into while a side streams. Its p99 is what the load alone costs.
 */
function directEcho(env) {
  const proc = pty.spawn('node', ['-e', ECHO_PROGRAM], { name: 'xterm-256color', cols: 80, rows: 24, env });
  let text = '';
  let wake = () => undefined;
  proc.onData((data) => {
    text = (text + data).slice(-256);
    wake();
  });
  const latencies = [];
  let running = true;
  const seen = (token) => new Promise((resolve) => {
    wake = () => text.includes(token) && resolve(performance.now());
    wake();
  });
  const loop = (async () => {
    await seen('echo-ready');
    for (let n = 1; running; n++) {
      const start = performance.now();
      const at = seen(`<k${n}>`);
      proc.write('x');
      latencies.push((await at) - start);
      await sleep(20);
    }
  })();
  return async () => {
    running = false;
    await loop;
    proc.kill();
    return latencies;
  };
}

async function streamingWithEcho(town, tmux, files) {
  const results = { citadel: { ms: [], echo: [], direct: [], bytes: [] }, tmux: { ms: [], echo: [], direct: [], bytes: [] } };
  // Panes are never smaller than 60×10 (pages): with the panels shown, the fifth pane would be on
  // a page of its own. Without them, five fit one page, as in tmux's window.
  const showPanels = hidePanels(town);
  try {
  const producer = (file, marker) => ['/bin/sh', '-c', `read x; cat ${shq(file)}; echo ${marker}; exec sleep 1000`];
  const echo = ['node', '-e', ECHO_PROGRAM];
  for (let round = 0; round < ROUNDS; round++) {
    {
      await town.clearPanes();
      const markers = files.map((_, i) => `FOUR-C${round}-${i}-DONE`);
      for (let i = 0; i < 4; i++) await town.spawn(producer(files[i], markers[i]));
      await town.spawn(echo);
      const { outer } = await openCitadel(town, 'echo-ready');
      await sleep(SETTLE_MS);
      // Start the four streams: type Enter into each pane through the workstation (prefix o
      // focuses the next pane; digits choose pages), then pane 5, the echo (prefix o once more).
      const start = performance.now();
      for (let i = 1; i <= 4; i++) outer.write(i === 1 ? '\r' : '\x02o\r');
      outer.write('\x02o');
      const done = Promise.all(markers.map((m) => outer.when(m, 300_000)));
      const stopDirect = directEcho(town.env);
      let streaming = true;
      const echoes = [];
      const typing = (async () => {
        let n = 0;
        while (streaming) {
          echoes.push(...(await echoLatencies(outer, 1, 20, n)));
          n++;
        }
      })();
      const ends = await done;
      streaming = false;
      await typing;
      results.citadel.ms.push(Math.max(...ends) - start);
      results.citadel.bytes.push(outer.bytes);
      results.citadel.echo.push(...echoes);
      results.citadel.direct.push(...(await stopDirect()));
      await closeCitadel(outer);
    }
    {
      const name = `four${round}`;
      const markers = files.map((_, i) => `FOUR-T${round}-${i}-DONE`);
      tmux.session(name, [...files.map((f, i) => producer(f, markers[i]).map(shq).join(' ')), echo.map(shq).join(' ')]);
      const { outer } = await openTmux(tmux, name, town.env, 'echo-ready');
      await sleep(300);
      const start = performance.now();
      for (let i = 0; i < 4; i++) tmux.run('send-keys', '-t', `${name}.${i}`, 'Enter');
      tmux.run('select-pane', '-t', `${name}.4`);
      const done = Promise.all(markers.map((m) => outer.when(m, 300_000)));
      const stopDirect = directEcho(town.env);
      let streaming = true;
      const echoes = [];
      const typing = (async () => {
        let n = 0;
        while (streaming) {
          echoes.push(...(await echoLatencies(outer, 1, 20, n)));
          n++;
        }
      })();
      const ends = await done;
      streaming = false;
      await typing;
      results.tmux.ms.push(Math.max(...ends) - start);
      results.tmux.bytes.push(outer.bytes);
      results.tmux.echo.push(...echoes);
      results.tmux.direct.push(...(await stopDirect()));
      outer.kill();
      tmux.run('kill-session', '-t', name);
    }
  }
  } finally {
    showPanels();
  }
  return results;
}

async function idleEcho(town, tmux) {
  const echo = ['node', '-e', ECHO_PROGRAM];
  await town.clearPanes();
  await town.spawn(echo);
  const c = await openCitadel(town, 'echo-ready');
  await sleep(SETTLE_MS);
  const citadel = await echoLatencies(c.outer, 200, 15, 0);
  await closeCitadel(c.outer);
  tmux.session('idle', [echo.map(shq).join(' ')]);
  const t = await openTmux(tmux, 'idle', town.env, 'echo-ready');
  await sleep(300);
  const tm = await echoLatencies(t.outer, 200, 15, 0);
  t.outer.kill();
  tmux.run('kill-session', '-t', 'idle');
  return { citadel, tmux: tm };
}

async function idleCpuAndAttach(town, tmux) {
  await town.clearPanes();
  const idle = (i) => ['/bin/sh', '-c', `echo idle-pane-${i}-ready; exec sleep 1000`];
  for (let i = 1; i <= 8; i++) await town.spawn(idle(i));
  const allReady = Array.from({ length: 8 }, (_, i) => `idle-pane-${i + 1}-ready`);
  const attach = { citadel: [], tmux: [] };
  const cpu = {};
  for (let round = 0; round < ROUNDS; round++) {
    const c = await openCitadel(town, allReady);
    attach.citadel.push(c.ms);
    if (round === 0) {
      await sleep(3000); // the panels load after the first frame
      const before = cpuSeconds(c.pid);
      await sleep(10_000);
      cpu.citadel = ((cpuSeconds(c.pid) - before) / 10) * 100;
    }
    await closeCitadel(c.outer);
  }
  tmux.session('eight', Array.from({ length: 8 }, (_, i) => idle(i + 1).map(shq).join(' ')));
  for (let round = 0; round < ROUNDS; round++) {
    const t = await openTmux(tmux, 'eight', town.env, allReady);
    attach.tmux.push(t.ms);
    if (round === 0) {
      await sleep(3000);
      const client = tmux.clientPid();
      const server = tmux.serverPid();
      const before = cpuSeconds(client) + cpuSeconds(server);
      await sleep(10_000);
      cpu.tmux = ((cpuSeconds(client) + cpuSeconds(server) - before) / 10) * 100;
    }
    t.outer.kill();
  }
  tmux.run('kill-session', '-t', 'eight');
  return { attach, cpu };
}

async function firstFrame(town) {
  await town.clearPanes();
  await town.spawn(['/bin/sh', '-c', 'echo first-frame-marker; exec sleep 1000']);
  const times = [];
  for (let round = 0; round < Math.max(3, ROUNDS); round++) {
    const outer = new Outer([process.execPath, bin], town.env, town.repo);
    const start = performance.now();
    const at = await outer.when('first-frame-marker');
    times.push(at - start);
    await closeCitadel(outer);
  }
  return times;
}

export async function run() {
  if (!existsSync('/usr/bin/tmux') && !existsSync('/usr/local/bin/tmux')) {
    console.log('tmux is not installed: the workstation benchmark compares against it, skipped');
    return;
  }
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; outer terminal ${COLS}×${ROWS}; ${ROUNDS} rounds, interleaved`);
  const town = await makeTown();
  const tmux = makeTmux(town.env);
  // A session that outlives the measured ones, so the tmux server stays up between them.
  tmux.run('new-session', '-d', '-s', 'keeper', 'exec sleep 100000');
  const data = join(town.root, 'data');
  mkdirSync(data);
  // Text lines of varied length, some colored, like a build log.
  const line = (i) => (i % 10 === 0 ? `\x1b[32mok\x1b[0m line ${i} ` : `line ${i} `) + 'lorem ipsum dolor sit amet '.repeat(1 + (i % 5));
  const write = (file, bytes) => {
    const parts = [];
    let size = 0;
    for (let i = 0; size < bytes; i++) {
      const l = `${line(i)}\n`;
      parts.push(l);
      size += l.length;
    }
    writeFileSync(file, parts.join(''));
  };
  const big = join(data, 'big.txt');
  write(big, MB * 2 ** 20);
  const quarter = Array.from({ length: 4 }, (_, i) => join(data, `q${i}.txt`));
  for (const f of quarter) write(f, (MB / 4) * 2 ** 20);
  try {
    if (wanted('throughput')) {
      const thr = await throughput(town, tmux, big);
      const c = median(thr.citadel);
      const t = median(thr.tmux);
      console.log(`${MB} MB through one pane: citadel ${fmt(c)}, tmux ${fmt(t)} → ${ratio(c, t)} tmux (budget ≤ 1.25×)`);
    }
    if (wanted('four')) {
    const four = await streamingWithEcho(town, tmux, quarter);
    const c4 = median(four.citadel.ms);
    const t4 = median(four.tmux.ms);
    console.log(`4 panes × ${MB / 4} MB at once: citadel ${fmt(c4)}, tmux ${fmt(t4)} → ${ratio(c4, t4)} tmux (budget ≤ 1.5×)`);
    console.log(`  echo in a 5th pane meanwhile: citadel p50 ${fmt(percentile(four.citadel.echo, 50))} p99 ${fmt(percentile(four.citadel.echo, 99))} (${four.citadel.echo.length} keys; budget p99 ≤ 16 ms); tmux p50 ${fmt(percentile(four.tmux.echo, 50))} p99 ${fmt(percentile(four.tmux.echo, 99))} (${four.tmux.echo.length} keys); load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const over = (values) => `${((100 * values.filter((v) => v > 16).length) / Math.max(1, values.length)).toFixed(1)}%`;
    console.log(`  the same, p90 / p95 / keys over 16 ms: citadel ${fmt(percentile(four.citadel.echo, 90))} / ${fmt(percentile(four.citadel.echo, 95))} / ${over(four.citadel.echo)}; tmux ${fmt(percentile(four.tmux.echo, 90))} / ${fmt(percentile(four.tmux.echo, 95))} / ${over(four.tmux.echo)}; bare pty ${fmt(percentile(four.citadel.direct, 90))} / ${fmt(percentile(four.citadel.direct, 95))} / ${over(four.citadel.direct)}`);
    console.log(`  the same echo program on a bare pty meanwhile (the machine's share): during citadel p50 ${fmt(percentile(four.citadel.direct, 50))} p99 ${fmt(percentile(four.citadel.direct, 99))}; during tmux p50 ${fmt(percentile(four.tmux.direct, 50))} p99 ${fmt(percentile(four.tmux.direct, 99))}`);
    const mbOut = (side) => (side.bytes.reduce((a, b) => a + b, 0) / 2 ** 20).toFixed(1);
    console.log(`  written to the outer terminal (the queue an echo waits behind): citadel ${mbOut(four.citadel)} MB, tmux ${mbOut(four.tmux)} MB`);
    const daemonRss = readFileSync(`/proc/${town.client.welcome.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1];
    console.log(`  daemon RSS after the four streams: ${(Number(daemonRss) / 1024).toFixed(0)} MB (scrollback ${process.env.CITADEL_BENCH_SCROLLBACK ?? 'default'})`);

    }
    if (wanted('echo')) {
    const echo = await idleEcho(town, tmux);
    console.log(`idle echo: citadel p50 ${fmt(percentile(echo.citadel, 50))} p99 ${fmt(percentile(echo.citadel, 99))} (budget p50 ≤ 3 ms, p99 ≤ 16 ms); tmux p50 ${fmt(percentile(echo.tmux, 50))} p99 ${fmt(percentile(echo.tmux, 99))} → p50 ${ratio(percentile(echo.citadel, 50), percentile(echo.tmux, 50))}`);

    }
    if (wanted('idle')) {
    const { attach, cpu } = await idleCpuAndAttach(town, tmux);
    console.log(`idle, 8 panes: citadel workstation ${cpu.citadel.toFixed(2)}% of a core (budget ≤ 0.5%); tmux client + server ${cpu.tmux.toFixed(2)}%`);
    console.log(`attach to 8 panes until the full frame: citadel ${fmt(median(attach.citadel))} (budget ≤ 250 ms), tmux ${fmt(median(attach.tmux))} → ${ratio(median(attach.citadel), median(attach.tmux))}`);

    }
    if (wanted('first')) {
      const first = await firstFrame(town);
      console.log(`first frame after \`citadel\` (daemon running, 1 pane): ${fmt(median(first))} (budget ≤ 500 ms)`);
    }
    const ctx = { town, tmux, openCitadel, closeCitadel, openTmux, shq };
    if (wanted('idle1')) await idleOnePane(ctx);
    if (wanted('scale30')) await thirtyPolecats(ctx);
  } finally {
    tmux.kill();
    await town.dispose();
  }
  const board = new URL('./tui-board.js', import.meta.url);
  if (wanted('board') && existsSync(fileURLToPath(board))) {
    console.log('\n### panels (bench/tui-board.js)');
    await (await import(board.href)).run();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
