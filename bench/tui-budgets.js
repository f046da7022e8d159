// Issue 16's workstation budgets, citadel beside tmux in the same run (called from bench/tui.js):
//   - idle: one idle pane, the panels shown, measured over IDLE_S (default 60 s): CPU of the
//     workstation + the daemon together (budget ≤ 0.3% of a core), RSS of both (≤ 150 MB)
//   - scale: 30 polecats each redrawing an Ink-like 20-row block with a spinner 10 times a second,
//     plus a 200-line burst every 5 s, over SCALE_S (default 30 s): daemon ≤ 10%, workstation ≤ 5%
//     of a core, RSS of both ≤ 300 MB
// CPU is reported as CPU seconds (user + system from /proc, steadier than wall time on a loaded
// machine) and as % of a core; the load average is printed with each figure.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const IDLE_S = Number(process.env.CITADEL_BENCH_IDLE_S ?? 60);
const IDLE_SETTLE_MS = Number(process.env.CITADEL_BENCH_IDLE_SETTLE_MS ?? 15_000);
const SCALE_S = Number(process.env.CITADEL_BENCH_SCALE_S ?? 30);
const SCALE_N = Number(process.env.CITADEL_BENCH_SCALE_N ?? 30);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMB(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line?.split(/\s+/)[1] ?? 0) / 1024;
}

/** RSS split: anonymous (the process's own) and file pages (mostly the node executable, shared by every node process). */
function rssParts(pid) {
  const field = (name) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${name}:`))?.split(/\s+/)[1] ?? 0) / 1024;
  return `anon ${field('RssAnon').toFixed(0)} + file ${field('RssFile').toFixed(0)}`;
}

const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

/** CPU seconds of each pid over `seconds`, with the load average at the end. */
async function measure(pids, seconds) {
  const before = pids.map(cpuSeconds);
  const start = performance.now();
  await sleep(seconds * 1000);
  const wall = (performance.now() - start) / 1000;
  const used = pids.map((pid, i) => cpuSeconds(pid) - before[i]);
  return { used, wall, load: load(), pct: used.map((s) => (s / wall) * 100) };
}

/** An Ink-like agent screen: a 20-row block redrawn every 100 ms with a spinner, a 200-line burst every 5 s. */
export const INK_LIKE = `const rows=20,sp='⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';let i=0;process.stdout.write('ink-like-ready\\n'+'\\n'.repeat(rows));
setInterval(()=>{i++;let out='\\x1b['+rows+'A';
if(i%50===0){out+='\\x1b[J';for(let k=0;k<200;k++)out+='log '+i+'-'+k+' lorem ipsum dolor sit amet, consectetur\\n';}
for(let r=0;r<rows;r++)out+='\\x1b[2K'+(r===0?sp[i%10]+' Working… ('+Math.floor(i/10)+'s · esc to interrupt)':'  │ line '+r+' of the block: text that does not change')+'\\n';
process.stdout.write(out);},100);`;

/**
 * `ctx`: { town, tmux, openCitadel, closeCitadel, openTmux, shq } from bench/tui.js.
 */
export async function idleOnePane(ctx) {
  const { town, tmux } = ctx;
  await town.clearPanes();
  await town.spawn(['/bin/sh', '-c', 'echo idle-one-ready; exec sleep 100000']);
  const daemon = town.client.welcome.pid;
  const c = await ctx.openCitadel(town, 'idle-one-ready');
  // Start-up settles first (~0.3 CPU s in the 10 s after the first frame: the panels' first
  // snapshot and journal watch, the ptys' sizes, the collection of start-up garbage); idle is
  // what comes after, when nothing changes.
  await sleep(IDLE_SETTLE_MS);
  const m = await measure([c.pid, daemon], IDLE_S);
  const rss = { workstation: rssMB(c.pid), daemon: rssMB(daemon) };
  const parts = { workstation: rssParts(c.pid), daemon: rssParts(daemon) };
  await ctx.closeCitadel(c.outer);
  tmux.session('idle1', [`sh -c 'echo idle-one-ready; exec sleep 100000'`]);
  const t = await ctx.openTmux(tmux, 'idle1', town.env, 'idle-one-ready');
  await sleep(2000);
  const tp = [tmux.clientPid(), tmux.serverPid()];
  const tm = await measure(tp, IDLE_S);
  const trss = tp.map(rssMB);
  t.outer.kill();
  tmux.run('kill-session', '-t', 'idle1');
  const total = m.used[0] + m.used[1];
  console.log(
    `idle, one pane, panels shown, ${IDLE_S} s: citadel ${((total / m.wall) * 100).toFixed(2)}% of a core (${total.toFixed(2)} CPU s: workstation ${m.used[0].toFixed(2)} s, daemon ${m.used[1].toFixed(2)} s; budget ≤ 0.3%), load ${m.load}; ` +
      `tmux client + server ${(((tm.used[0] + tm.used[1]) / tm.wall) * 100).toFixed(2)}% (${(tm.used[0] + tm.used[1]).toFixed(2)} CPU s), load ${tm.load}`,
  );
  console.log(`RSS, one pane: citadel ${(rss.workstation + rss.daemon).toFixed(0)} MB (workstation ${rss.workstation.toFixed(0)}: ${parts.workstation}, daemon ${rss.daemon.toFixed(0)}: ${parts.daemon}; budget ≤ 150 MB); tmux ${(trss[0] + trss[1]).toFixed(0)} MB`);
}

export async function thirtyPolecats(ctx) {
  const { town, tmux, shq } = ctx;
  await town.clearPanes();
  const argv = ['node', '-e', INK_LIKE];
  for (let i = 0; i < SCALE_N; i++) await town.spawn(argv);
  const daemon = town.client.welcome.pid;
  const c = await ctx.openCitadel(town, 'Working');
  await sleep(5000);
  const m = await measure([daemon, c.pid], SCALE_S);
  const rss = { daemon: rssMB(daemon), workstation: rssMB(c.pid) };
  await ctx.closeCitadel(c.outer);
  const overview = await overviewKeys(ctx);
  await town.clearPanes();
  // tmux hosting the same: one window per program (tmux's pages).
  tmux.session('scale', [argv.map(shq).join(' ')]);
  for (let i = 1; i < SCALE_N; i++) tmux.run('new-window', '-t', 'scale', argv.map(shq).join(' '));
  const t = await ctx.openTmux(tmux, 'scale', town.env, 'Working');
  await sleep(5000);
  const tp = [tmux.serverPid(), tmux.clientPid()];
  const tm = await measure(tp, SCALE_S);
  const trss = tp.map(rssMB);
  t.outer.kill();
  tmux.run('kill-session', '-t', 'scale');
  console.log(
    `${SCALE_N} polecats, 20-row block + spinner at 10 Hz, 200-line burst every 5 s, ${SCALE_S} s: citadel daemon ${m.pct[0].toFixed(1)}% (${m.used[0].toFixed(1)} CPU s; budget ≤ 10%), workstation ${m.pct[1].toFixed(1)}% (${m.used[1].toFixed(1)} CPU s; budget ≤ 5%), load ${m.load}; ` +
      `tmux server ${tm.pct[0].toFixed(1)}% + client ${tm.pct[1].toFixed(1)}% (${(tm.used[0] + tm.used[1]).toFixed(1)} CPU s), load ${tm.load}`,
  );
  console.log(`RSS, ${SCALE_N} polecats: citadel ${(rss.daemon + rss.workstation).toFixed(0)} MB (daemon ${rss.daemon.toFixed(0)}, workstation ${rss.workstation.toFixed(0)}; budget ≤ 300 MB); tmux ${(trss[0] + trss[1]).toFixed(0)} MB`);
  console.log(
    `overview (C-b w) over the ${SCALE_N} streaming polecats, keystroke to frame (the bench's write of a key to the workstation's write of its frame, on one epoch clock): ` +
      `p50 ${pct(overview.ms, 50).toFixed(1)} ms, p99 ${pct(overview.ms, 99).toFixed(1)} ms, max ${Math.max(...overview.ms).toFixed(1)} ms over ${overview.ms.length} keys (moves, filter letters, erases; budget p99 ≤ 16 ms)${overview.unanswered ? `; ${overview.unanswered} keys drew nothing` : ''}, load ${overview.load}`,
  );
}

const pct = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
};

/**
 * The overview's keystroke-to-frame time, with the polecats still streaming: the workstation is
 * opened again with CITADEL_TUI_TRACE (a line per key read and per write to the terminal, on its
 * own clock, whose epoch origin it logs), the overview opened, and keys typed ~40 ms apart. Each
 * key's time is from the benchmark's write (epoch) to the workstation's first write after reading
 * it. (Not during the CPU measurement above: the trace is a file append per event.)
 */
async function overviewKeys(ctx) {
  const trace = join(mkdtempSync(join(tmpdir(), 'citadel-overview-')), 'trace.log');
  const c = await ctx.openCitadel(ctx.town, 'Working', { CITADEL_TUI_TRACE: trace });
  await sleep(3000);
  c.outer.write('\x02w');
  await sleep(1000);
  const keys = [];
  const plan = [...Array(20).fill('\x1b[B'), ...Array(20).fill('\x1b[A'), ...'polecat'.split(''), ...Array(7).fill('\x7f'), ...Array(20).fill('\x1b[B'), ...'nux'.split(''), ...Array(3).fill('\x7f')];
  for (const key of plan) {
    keys.push(performance.timeOrigin + performance.now());
    c.outer.write(key);
    await sleep(40);
  }
  await sleep(500);
  const load = loadavg().map((n) => n.toFixed(1)).join(' ');
  c.outer.write('\x1b');
  await ctx.closeCitadel(c.outer);
  const lines = readFileSync(trace, 'utf8').split('\n');
  rmSync(dirname(trace), { recursive: true, force: true });
  const origin = Number(/clock origin epoch ([\d.]+)/.exec(lines.find((l) => l.includes('clock origin')) ?? '')?.[1]);
  // The reads of our keys (after the overview opened) and the writes, as epoch times.
  const events = lines.map((l) => /^([\d.]+) (input|write) /.exec(l)).filter(Boolean).map((m) => ({ at: origin + Number(m[1]), kind: m[2] }));
  const writes = events.filter((e) => e.kind === 'write').map((e) => e.at);
  const ms = [];
  let unanswered = 0;
  for (const sent of keys) {
    const read = events.find((e) => e.kind === 'input' && e.at >= sent - 1);
    const drawn = read && writes.find((at) => at >= read.at);
    if (drawn === undefined || drawn - sent > 1000) unanswered++;
    else ms.push(drawn - sent);
  }
  return { ms, unanswered, load };
}
