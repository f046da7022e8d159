// Scale benchmark (npm run bench:scale, issue 18): the data commands on a town of 100k beads /
// ~1M journal events beside the same commands on a town of 1k beads and beside `node -e 0`,
// each a fresh process; `.citadel/` on disk; `bead import` of 100k Beads issues; then a CPU
// profile of the slowest command at the big size. The towns are built once by
// bench/scale-town.js and cached (~/.cache/citadel-bench or $CITADEL_BENCH_CACHE); each run
// copies them to a temp dir, so commands that write never dirty the cache. Figures only:
// nothing here fails on a time.
//
//   BENCH_SCALE_SIZES=1000,100000   the towns (beads)
//   BENCH_SCALE_RUNS=5              runs per command (after one warm-up)
//   BENCH_SCALE_IMPORT=100000       Beads issues to import (0 skips)
//   BENCH_SCALE_PROFILE=1           profile the slowest command (0 skips)
//   BENCH_SCALE_KEEP=1              keep the temp copies
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedTown, copyTown, POLECATS, seeded } from './scale-town.js';

const bin = fileURLToPath(new URL('../bin/citadel.js', import.meta.url));
const RUNS = Number(process.env.BENCH_SCALE_RUNS ?? 5);
const SIZES = (process.env.BENCH_SCALE_SIZES ?? '1000,100000').split(',').map(Number);
const IMPORT = Number(process.env.BENCH_SCALE_IMPORT ?? 100_000);
const PROFILE = process.env.BENCH_SCALE_PROFILE !== '0';

/** The budgets of issue 18, as a multiple of `node -e 0` (or an absolute figure). */
const BUDGET = { x2: 2, cv: 3, list: 3 };

const CPU_HOOK = `data:text/javascript,process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('\\n@@cpu '+(u.user+u.system)/1000)})`;

function time(args, cwd, env = {}, nodeArgs = [], timeout = undefined) {
  const start = performance.now();
  const result = spawnSync(process.execPath, ['--import', CPU_HOOK, ...nodeArgs, ...args], {
    cwd,
    timeout,
    env: { ...process.env, CITADEL_ACTOR: 'overseer', ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const ms = performance.now() - start;
  if (result.error) throw new Error(`${args.slice(1).join(' ')}: ${result.error.message} after ${(performance.now() - start).toFixed(0)} ms`);
  if (result.status !== 0) throw new Error(`${args.slice(1).join(' ')} exited ${result.status}: ${result.stderr.trim().split('\n')[0]}`);
  return { ms, cpu: Number(/@@cpu ([\d.]+)/.exec(result.stderr)?.[1] ?? NaN), stdout: result.stdout };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

/**
 * Runs a command RUNS times (after a warm-up) and returns p50/p90 wall and p50 CPU. `argsFor(i)`
 * gives each run's argv (closing a different bead each time); `before(i)` runs untimed first.
 */
function measure(argsFor, cwd, { env, before } = {}) {
  const args = typeof argsFor === 'function' ? argsFor : () => argsFor;
  before?.(-1);
  const warm = time(args(-1), cwd, env);
  const walls = [];
  const cpuTimes = [];
  for (let i = 0; i < RUNS; i++) {
    before?.(i);
    const run = time(args(i), cwd, env);
    walls.push(run.ms);
    cpuTimes.push(run.cpu);
  }
  walls.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  return { p50: pct(walls, 0.5), p90: pct(walls, 0.9), cpu: pct(cpuTimes, 0.5), stdout: warm.stdout };
}

const git = (cwd, ...args) => execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

function duMiB(dir) {
  return Number(execFileSync('du', ['-sk', dir], { encoding: 'utf8' }).split('\t')[0]) / 1024;
}

/** Every command of the issue on one town (a fresh copy of the cached one). */
function measureTown(dir, town, log) {
  const rows = new Map();
  const run = (label, budget, argsFor, options) => {
    try {
      const figures = measure(argsFor, options?.cwd ?? dir, options);
      rows.set(label, { ...figures, budget });
      log(`  ${label.padEnd(36)} p50 ${figures.p50.toFixed(0).padStart(5)} ms  p90 ${figures.p90.toFixed(0).padStart(5)} ms  cpu ${figures.cpu.toFixed(0).padStart(5)} ms`);
      return figures;
    } catch (error) {
      rows.set(label, { error: error.message, budget });
      log(`  ${label.padEnd(36)} failed: ${error.message}`);
      return undefined;
    }
  };
  const c = (...args) => [bin, ...args];
  // `ready` and `mail inbox` print their default page (50; docs/cli.md, "Pages"), as an agent runs them.
  const ready = run('ready --json', BUDGET.x2, c('ready', '--json'));
  const readyIds = ready ? JSON.parse(ready.stdout).map((b) => b.id) : [];
  const some = readyIds[0] ?? town.held;
  run('bead show ID --json', BUDGET.x2, c('bead', 'show', some, '--json'));
  run('bead create', BUDGET.x2, c('bead', 'create', 'A bead made by the scale bench', '--priority', '2'));
  run('bead update ID --priority', BUDGET.x2, (i) => c('bead', 'update', some, '--priority', String((i + 5) % 5)));
  // a different ready bead each run (closing one twice is refused)
  run('bead close ID', BUDGET.x2, (i) => c('bead', 'close', readyIds[readyIds.length - 2 - i] ?? some, '--reason', 'bench'));
  run('mail inbox --json', BUDGET.x2, c('mail', 'inbox', '--json'));
  run('mail send', BUDGET.x2, c('mail', 'send', '--to', 'nux', '--subject', 'scale bench', '--body', 'a message'));
  // `done` from a polecat's worktree: a fresh branch (one commit ahead of main) before each run,
  // so every run files a new merge request rather than finding the one already queued.
  const worktree = join(dir, '.citadel', 'worktrees', 'nux');
  let doneOk = true;
  try {
    git(dir, 'worktree', 'add', '-q', '-b', `polecat/nux/${town.held}`, worktree, 'main');
    git(worktree, '-c', 'user.name=nux', '-c', 'user.email=nux@example.invalid', 'commit', '-q', '--allow-empty', '-m', 'work');
  } catch (error) {
    doneOk = false;
    rows.set('done (polecat worktree)', { error: `no worktree: ${error.message}`, budget: BUDGET.x2 });
  }
  const polecatEnv = { CITADEL_ACTOR: 'nux', CITADEL_POLECAT: 'nux', CITADEL_BEAD: town.held };
  if (doneOk) {
    run('done (polecat worktree)', BUDGET.x2, c('done'), {
      cwd: worktree,
      env: polecatEnv,
      before: (i) => git(worktree, 'checkout', '-q', '-b', `polecat/nux/${town.held}-${i + 2}`),
    });
    run('prime (polecat worktree)', BUDGET.x2, c('prime'), { cwd: worktree, env: polecatEnv });
  } else run('prime', BUDGET.x2, c('prime'), { env: polecatEnv });
  run('cv nux', BUDGET.cv, c('cv', 'nux'));
  const list = run('bead list --status open --label perf', BUDGET.list, c('bead', 'list', '--status', 'open', '--label', 'perf', '--json'));
  if (list) rows.get('bead list --status open --label perf').note = `${JSON.parse(list.stdout).length} rows`;
  const mine = run('bead list --assignee nux --status in_progress', BUDGET.list, c('bead', 'list', '--assignee', 'nux', '--status', 'in_progress', '--json'));
  if (mine) rows.get('bead list --assignee nux --status in_progress').note = `${JSON.parse(mine.stdout).length} rows`;
  return rows;
}

/** `count` issues in Beads' JSONL export format (test/fixtures/beads-issues.jsonl), with dependencies. */
function beadsIssues(count) {
  const random = seeded(7);
  const statuses = ['open', 'open', 'closed', 'closed', 'closed', 'in_progress'];
  const types = ['task', 'bug', 'feature', 'chore', 'epic'];
  const lines = [];
  for (let i = 0; i < count; i++) {
    const id = `bd-${i.toString(36)}`;
    const status = statuses[Math.floor(random() * statuses.length)];
    const at = new Date(Date.parse('2025-06-01T00:00:00Z') + i * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const issue = {
      id,
      title: `Issue ${i}: speed up the protocol tests of package ${i % 97}`,
      description: `The tests of package ${i % 97} take ${20 + (i % 60)}s. Check for per-test server start-up and shared fixtures.`,
      status,
      priority: Math.floor(random() * 5),
      issue_type: types[Math.floor(random() * types.length)],
      ...(status === 'in_progress' ? { assignee: `beads/polecats/p${i % 12}` } : {}),
      created_at: at,
      created_by: 'mayor',
      updated_at: at,
      ...(status === 'closed' ? { closed_at: at, close_reason: 'Closed' } : {}),
      ...(i > 10 && random() < 0.3 ? { dependencies: [{ issue_id: id, depends_on_id: `bd-${Math.floor(random() * i).toString(36)}`, type: 'blocks', created_at: at, created_by: 'mayor', metadata: '{}' }] } : {}),
      dependency_count: 0,
      dependent_count: 0,
      comment_count: 0,
    };
    lines.push(JSON.stringify(issue));
  }
  return `${lines.join('\n')}\n`;
}

/** Imports `count` Beads issues into a fresh town, once (it is the figure, not a distribution). */
function measureImport(count, log) {
  const dir = mkdtempSync(join(tmpdir(), 'citadel-bench-import-'));
  try {
    git(dir, 'init', '-q', '-b', 'main');
    time([bin, 'init'], dir);
    const file = join(dir, 'issues.jsonl');
    writeFileSync(file, beadsIssues(count));
    const run = time([bin, 'bead', 'import', file, '--json'], dir, {}, [], Number(process.env.BENCH_SCALE_IMPORT_TIMEOUT ?? 300_000));
    const size = duMiB(join(dir, '.citadel'));
    log(`  bead import of ${count} Beads issues: ${(run.ms / 1000).toFixed(1)} s wall, ${(run.cpu / 1000).toFixed(1)} s cpu; .citadel/ then ${size.toFixed(0)} MiB`);
    return { ms: run.ms, cpu: run.cpu, size };
  } catch (error) {
    log(`  bead import failed: ${error.message}`);
    return { error: error.message };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs `args` once under --cpu-prof and prints where the time went: inclusive time of the
 * citadel functions that matter (snapshot load, replay, projections, the query) and of module
 * loading, then the top self-time frames.
 */
function profile(label, args, cwd, env, log) {
  const dir = mkdtempSync(join(tmpdir(), 'citadel-bench-prof-'));
  try {
    const wall = time(args, cwd, env, ['--cpu-prof', '--cpu-prof-dir', dir]);
    const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    const prof = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of prof.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
    const self = new Map();
    prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0) / 1000));
    const name = (n) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/^.*\/(dist|node_modules)\//, '$1/').replace(/^node:/, 'node:')}:${n.callFrame.lineNumber + 1}`;
    const inclusive = new Map();
    const selfByName = new Map();
    let total = 0;
    for (const [id, ms] of self) {
      total += ms;
      const leaf = byId.get(id);
      selfByName.set(name(leaf), (selfByName.get(name(leaf)) ?? 0) + ms);
      const seen = new Set();
      for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
        const key = name(byId.get(cur));
        if (seen.has(key)) continue;
        seen.add(key);
        inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
      }
    }
    log(`\n  profile of ${label}: ${wall.ms.toFixed(0)} ms wall, ${wall.cpu.toFixed(0)} ms cpu, ${total.toFixed(0)} ms sampled`);
    const phases = [
      ['snapshot load (read + parse + build)', /^loadSnapshot |^loaded /],
      ['journal after the snapshot (catch-up)', /^catchUp /],
      ['projection check/repair', /^tryRepairProjections |^repairProjections /],
      ['JSON.parse', /^parse (node:)?/],
      ['module loading (compile + evaluate)', /^(compileSourceTextModule|moduleEvaluation|importModuleDynamically|link|instantiate) /],
      ['garbage collector', /^\(garbage collector\)/],
    ];
    for (const [what, pattern] of phases) {
      const ms = Math.max(0, ...[...inclusive].filter(([k]) => pattern.test(k)).map(([, v]) => v));
      log(`    ${what.padEnd(40)} ${ms.toFixed(0).padStart(5)} ms`);
    }
    log('    top citadel frames, inclusive:');
    for (const [k, v] of [...inclusive].filter(([k]) => k.includes('dist/')).sort((a, b) => b[1] - a[1]).slice(0, 14)) log(`      ${v.toFixed(0).padStart(5)} ms  ${k}`);
    log('    top frames, self:');
    for (const [k, v] of [...selfByName].sort((a, b) => b[1] - a[1]).slice(0, 10)) log(`      ${v.toFixed(0).padStart(5)} ms  ${k}`);
  } catch (error) {
    log(`  profile failed: ${error.message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run() {
  const log = (line) => console.log(line);
  const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
  log(`scale bench: fresh process per call, ${RUNS} runs each after one warm-up (p50, p90 wall; p50 cpu of the call itself)`);
  log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}; load average at start ${load()}`);
  const towns = [];
  for (const size of SIZES) {
    const started = performance.now();
    const town = await cachedTown(size, (line) => log(line));
    log(`town of ${size}: ${town.beads} beads, ${town.seq} journal events ${town.cached ? `(cached; built in ${town.seconds.toFixed(0)} s)` : `(built now in ${((performance.now() - started) / 1000).toFixed(0)} s)`}`);
    log(`  by type: ${Object.entries(town.types).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    towns.push(town);
  }
  const results = [];
  for (const town of towns) {
    const dir = mkdtempSync(join(tmpdir(), `citadel-bench-scale-${town.beads}-`));
    try {
      const copied = performance.now();
      copyTown(town.dir, dir);
      const size = duMiB(join(dir, '.citadel'));
      log(`\n${town.beads} beads / ${town.seq} events (copied in ${((performance.now() - copied) / 1000).toFixed(1)} s; .citadel/ ${size.toFixed(1)} MiB; load ${load()})`);
      const node = measure(['-e', '0'], dir);
      log(`  ${'node -e 0'.padEnd(36)} p50 ${node.p50.toFixed(0).padStart(5)} ms  p90 ${node.p90.toFixed(0).padStart(5)} ms  cpu ${node.cpu.toFixed(0).padStart(5)} ms`);
      const rows = measureTown(dir, town, log);
      results.push({ town, node, rows, size, dir });
      if (PROFILE && town === towns[towns.length - 1]) {
        const slowest = [...rows].filter(([, r]) => !r.error).sort((a, b) => b[1].p50 - a[1].p50)[0];
        profile(`ready --json at ${town.beads} beads`, [bin, 'ready', '--json'], dir, {}, log);
        if (slowest && slowest[0] !== 'ready --json') log(`  (slowest: ${slowest[0]}; profile it with node --cpu-prof ${bin} …)`);
      }
    } finally {
      if (process.env.BENCH_SCALE_KEEP) log(`  (kept ${dir})`);
      else rmSync(dir, { recursive: true, force: true });
    }
  }
  const imported = IMPORT > 0 ? (log(''), measureImport(IMPORT, log)) : undefined;

  // The table: each size's p50 (and its ratio to that run's node -e 0) beside the budget.
  const small = results.find((r) => r.town.beads < 10_000);
  const big = results[results.length - 1];
  const ratio = (r, row) => (row && !row.error ? row.p50 / r.node.p50 : NaN);
  // On a loaded machine wall time mostly measures the other processes: the CPU ratio (the
  // call's own user + system time over node -e 0's) is the steadier one.
  const cpuRatio = (r, row) => (row && !row.error ? row.cpu / r.node.cpu : NaN);
  log(`\n## Scale: issue 18 budgets (p50 wall, × node -e 0 of the same run; load average now ${load()})`);
  const head = `| command | ${results.map((r) => `${r.town.beads} beads`).join(' | ')} | budget | at ${big.town.beads} |`;
  log(head);
  log(`|---|${results.map(() => '---|').join('')}---|---|`);
  for (const label of big.rows.keys()) {
    const row = big.rows.get(label);
    const cells = results.map((r) => {
      const cell = r.rows.get(label);
      if (!cell) return '–';
      if (cell.error) return 'failed';
      return `${cell.p50.toFixed(0)} ms (p90 ${cell.p90.toFixed(0)}) ${ratio(r, cell).toFixed(1)}×; cpu ${cell.cpu.toFixed(0)} ms ${cpuRatio(r, cell).toFixed(1)}×${cell.note ? `; ${cell.note}` : ''}`;
    });
    const over = ratio(big, row);
    const overCpu = cpuRatio(big, row);
    const verdict = (x) => (x <= row.budget ? 'within' : 'over');
    log(`| ${label} | ${cells.join(' | ')} | ≤ ${row.budget}× | ${Number.isNaN(over) ? 'not measured' : `wall ${verdict(over)}, cpu ${verdict(overCpu)} (${overCpu.toFixed(1)}×)`} |`);
  }
  log(`| node -e 0 | ${results.map((r) => `${r.node.p50.toFixed(0)} ms (p90 ${r.node.p90.toFixed(0)}); cpu ${r.node.cpu.toFixed(0)} ms`).join(' | ')} | | |`);
  log(`| .citadel/ on disk | ${results.map((r) => `${r.size.toFixed(1)} MiB`).join(' | ')} | ≤ 150 MB | ${big.size * 1.048576 <= 150 ? 'within' : 'over'} |`);
  if (imported) log(`| bead import of ${IMPORT} Beads issues | ${results.map(() => '').join(' | ')} ${imported.error ? 'failed' : `${(imported.ms / 1000).toFixed(1)} s`} | ≤ 10 s | ${imported.error ? '' : imported.ms <= 10_000 ? 'within' : 'over'} |`);
  if (small) log(`(${small.town.beads}-bead town beside: the store's size shows as the gap between the columns)`);
  log(`polecats in the towns: ${POLECATS.join(', ')}; the workstation figures of the issue (first frame, keystroke, details) are bench:tui's`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
