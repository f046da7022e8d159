// Daemon budgets (issue 5): 8 idle polecats ≤ 0.5% of a core; a fast producer in one pane delays
// echo in another by ≤ 10 ms p99; 8 panes × 10k lines of scrollback ≤ 300 MB. Prints figures only.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDaemon, stopDaemon } from '../dist/daemon/lifecycle.js';

const bin = fileURLToPath(new URL('../bin/citadel.js', import.meta.url));
const ticks = 100; // USER_HZ on Linux

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticks;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

async function makeTown({ refinery = false } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'citadel-bench-'));
  const runtime = join(root, 'rt');
  mkdirSync(runtime, { mode: 0o700 });
  const repo = join(root, 'repo');
  mkdirSync(repo);
  const env = { ...process.env, CITADEL_RUNTIME_DIR: runtime, CITADEL_NO_REFINERY: refinery ? '' : '1', GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' };
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo, env });
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', 'init'], { cwd: repo, env });
  execFileSync(process.execPath, [bin, 'init'], { cwd: repo, env, stdio: 'ignore' });
  const { client } = await ensureDaemon(repo, { env });
  return { repo, env, client, dispose: async () => { client.close(); await stopDaemon(repo, { env }); rmSync(root, { recursive: true, force: true }); } };
}

async function idleCpu() {
  // The real thing: the refinery worker runs too.
  const town = await makeTown({ refinery: true });
  const pid = town.client.welcome.pid;
  for (let i = 0; i < 8; i++) await town.client.request('spawn', { id: `idle${i}`, argv: ['cat'], cols: 120, rows: 36 });
  await sleep(2000);
  const seconds = 10;
  const before = cpuSeconds(pid);
  await sleep(seconds * 1000);
  const used = cpuSeconds(pid) - before;
  console.log(`8 idle panes (refinery running): daemon CPU ${((used / seconds) * 100).toFixed(2)}% of a core over ${seconds} s (budget 0.5%)`);
  await town.dispose();
}

async function echoUnderLoad() {
  const town = await makeTown();
  const client = town.client;
  await client.request('spawn', { id: 'flood', argv: ['yes', 'the quick brown fox jumps over the lazy dog'], cols: 120, rows: 36 });
  await client.request('spawn', { id: 'echo', argv: ['cat'], cols: 120, rows: 36 });
  let screen = [];
  let waiter;
  client.on('frame', (frame) => {
    if (frame.pane !== 'echo') return;
    if (frame.full) screen = new Array(frame.rows).fill('');
    for (const [y, text] of frame.lines) screen[y] = text;
    waiter?.();
  });
  await client.request('subscribe', { pane: 'flood' });
  await client.request('subscribe', { pane: 'echo' });
  await sleep(1000);
  const delays = [];
  for (let i = 0; i < 200; i++) {
    const marker = `k${i}x`;
    const seen = new Promise((resolve) => {
      waiter = () => {
        if (screen.some((row) => row.includes(marker))) resolve();
      };
    });
    const start = performance.now();
    await client.request('input', { pane: 'echo', data: marker });
    await seen;
    delays.push(performance.now() - start);
    await client.request('input', { pane: 'echo', data: '\r' });
    await sleep(20);
  }
  await town.dispose();
  const peer = await tmuxEcho();
  const ratio = peer ? `; tmux under the same load p50 ${percentile(peer, 50).toFixed(2)} ms, p99 ${percentile(peer, 99).toFixed(2)} ms (ratio p99 ${(percentile(delays, 99) / percentile(peer, 99)).toFixed(2)})` : '; tmux not installed';
  console.log(`echo while another pane runs \`yes\`: p50 ${percentile(delays, 50).toFixed(2)} ms, p99 ${percentile(delays, 99).toFixed(2)} ms (budget p99 ≤ 10 ms)${ratio}`);
}

/** The same measure through tmux, from an outer pty: keystroke in, its echo out. */
async function tmuxEcho() {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const { default: pty } = await import('node-pty');
  const socket = `citadel-bench-${process.pid}`;
  const env = { ...process.env, TMUX: '', TERM: 'xterm-256color' };
  const outer = pty.spawn('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-x', '120', '-y', '36', 'cat'], { cols: 120, rows: 37, env });
  let output = '';
  let waiter;
  outer.onData((data) => {
    output += data;
    if (output.length > 1e6) output = output.slice(-1000);
    waiter?.();
  });
  await sleep(800);
  execFileSync('tmux', ['-L', socket, 'split-window', '-d', '-h', 'yes the quick brown fox jumps over the lazy dog'], { env });
  await sleep(1000);
  const delays = [];
  for (let i = 0; i < 200; i++) {
    const marker = `k${i}x`;
    output = '';
    const seen = new Promise((resolve) => {
      waiter = () => {
        if (output.includes(marker)) resolve();
      };
    });
    const start = performance.now();
    outer.write(marker);
    await seen;
    delays.push(performance.now() - start);
    outer.write('\r');
    await sleep(20);
  }
  execFileSync('tmux', ['-L', socket, 'kill-server'], { env, stdio: 'ignore' });
  outer.kill();
  return delays;
}

async function scrollbackMemory() {
  const town = await makeTown();
  const client = town.client;
  const line = 'x'.repeat(100);
  for (let i = 0; i < 8; i++) {
    await client.request('spawn', { id: `hist${i}`, argv: ['sh', '-c', `i=0; while [ $i -lt 11000 ]; do echo "$i ${line}"; i=$((i+1)); done; exec cat`], cols: 120, rows: 36 });
  }
  const deadline = Date.now() + 120_000;
  for (;;) {
    const sizes = await Promise.all([...Array(8).keys()].map((i) => client.request('scrollback', { pane: `hist${i}`, count: 1 }).then((r) => r.total)));
    if (sizes.every((n) => n >= 10_000)) break;
    if (Date.now() > deadline) break;
    await sleep(200);
  }
  const status = await client.request('status');
  console.log(`8 panes × 10k lines of scrollback: daemon RSS ${(status.memory.rss / 2 ** 20).toFixed(0)} MB (budget 300 MB)`);
  await town.dispose();
}

export async function run() {
  await idleCpu();
  await echoUnderLoad();
  await scrollbackMemory();
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
