// CLI benchmark (npm run bench:cli): cold start (bench/cli-startup.js), then wall time of the data commands agents call many times a
// minute, each a fresh process, on towns of 1k and 10k beads (~10 journal events per bead, so
// 10k beads ≈ 100k events). Budget (issue 3): `citadel ready --json` and `citadel bead create`
// ≤ 150 ms each. Figures only; nothing here fails on a time.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/citadel.js', import.meta.url));
const { openTownAt } = await import('../dist/town/town.js');
const { modelContext, transact } = await import('../dist/model/index.js');

const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 15);
const SIZES = (process.env.BENCH_CLI_SIZES ?? '1000,10000').split(',').map(Number);

/** A seeded random source, so every run builds the same town. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A town of `count` beads shaped like a busy one: epics with children, dependencies on older
 * beads, and a history of ~10 events per bead (edits, claims, releases, closes): about 70%
 * closed, 10% in progress, the rest open, some of them blocked.
 */
export async function populate(root, count) {
  const random = seeded(count);
  const town = openTownAt(root, 'bench');
  const ctx = (actor) => modelContext(actor, town.config.prefix, { random });
  const ids = [];
  const batch = 250;
  const labels = ['ui', 'parser', 'docs', 'infra', 'tests', 'perf'];
  for (let start = 0; start < count; start += batch) {
    await town.journal.mutate(
      transact(ctx('overseer'), (tx) => {
        const made = [];
        for (let i = start; i < Math.min(count, start + batch); i++) {
          const epic = i % 50 === 0;
          const parent = !epic && ids.length > 50 && random() < 0.3 ? ids[Math.floor(ids.length / 50) * 50 - 50] : null;
          const needs = ids.length > 10 && random() < 0.3 ? [ids[Math.floor(random() * ids.length)]] : [];
          const bead = tx.create({
            title: `${epic ? 'Epic' : 'Task'} ${i}: make the ${labels[i % labels.length]} faster and clearer`,
            type: epic ? 'epic' : 'task',
            priority: Math.floor(random() * 5),
            labels: [labels[i % labels.length]],
            body: 'Some details about the work, as an agent would write them. '.repeat(3),
            needs,
            parent,
          });
          made.push(bead.id);
        }
        return made;
      }),
    ).then(({ value }) => ids.push(...value));
    // the history: edits, a claim, a release and re-claim, then most of them close
    const slice = ids.slice(start, start + batch);
    await town.journal.mutate(
      transact(ctx('nux'), (tx) => {
        // A claim is refused while needs are open; the history only needs the events' shape.
        const take = (id) => (tx.get(id).needs.every((need) => tx.get(need)?.status === 'closed') ? tx.claim(id) : tx.update(id, { assignee: 'nux', status: 'in_progress' }));
        for (const id of slice) {
          tx.update(id, { addLabels: ['triaged'] });
          tx.update(id, { priority: Math.floor(random() * 5) });
          tx.update(id, { body: 'Updated details. '.repeat(4) });
          take(id);
          tx.release(id);
          tx.update(id, { addLabels: ['estimated'] });
          tx.update(id, { removeLabels: ['estimated'], addLabels: ['sized'] });
          const roll = random();
          if (roll < 0.8) {
            take(id);
            if (roll < 0.7) tx.update(id, { status: 'closed', reason: 'done' });
            else tx.update(id, { title: `${tx.get(id).title} (in progress)` });
          } else tx.update(id, { priority: 2 });
        }
      }),
    );
  }
  const state = town.journal.read();
  const seq = state.seq;
  town.close();
  return { seq, ids };
}

/**
 * Reports the child's own CPU time (user + system, start-up included) on exit: on a busy
 * machine wall time mostly measures the other processes, CPU time what a call costs.
 */
const CPU_HOOK = `data:text/javascript,process.on('exit',()=>{const u=process.cpuUsage();process.stderr.write('\\n@@cpu '+(u.user+u.system)/1000)})`;

function time(args, cwd) {
  const start = performance.now();
  const result = spawnSync(process.execPath, ['--import', CPU_HOOK, ...args], { cwd, env: { ...process.env, CITADEL_ACTOR: 'bench' }, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  const cpu = Number(/@@cpu ([\d.]+)/.exec(result.stderr)?.[1] ?? NaN);
  return { ms, cpu, stdout: result.stdout };
}

function measure(label, args, cwd, baseline) {
  time(args, cwd); // warm the page cache
  const samples = [];
  const cpus = [];
  let stdout = '';
  for (let i = 0; i < RUNS; i++) {
    const run = time(args, cwd);
    samples.push(run.ms);
    cpus.push(run.cpu);
    stdout = run.stdout;
  }
  samples.sort((a, b) => a - b);
  cpus.sort((a, b) => a - b);
  const p50 = samples[Math.floor(samples.length / 2)];
  const p90 = samples[Math.floor(samples.length * 0.9)];
  const cpu = cpus[Math.floor(cpus.length / 2)];
  const ratio = baseline ? `  (${(p50 / baseline).toFixed(2)}× node -e 0)` : '';
  const fmt = (ms) => ms.toFixed(0).padStart(4);
  console.log(`  ${label.padEnd(34)} wall p50 ${fmt(p50)} ms  p90 ${fmt(p90)} ms  min ${fmt(samples[0])} ms   cpu p50 ${fmt(cpu)} ms${ratio}`);
  return { p50, stdout };
}

export async function run() {
  // Cold start first (bench/cli-startup.js): --version, --help and data commands on a small town beside node -e 0.
  await (await import('./cli-startup.js')).run();
  console.log('');
  console.log(`fresh process per call, ${RUNS} runs each (after one warm-up); budget ≤ 150 ms for ready --json and bead create`);
  console.log(`load average now: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores (wall times on a busy machine measure the others too; cpu is the call's own)`);
  const node = measure('node -e 0 (Node start-up)', ['-e', '0'], tmpdir());
  for (const size of SIZES) {
    const dir = mkdtempSync(join(tmpdir(), 'citadel-bench-cli-'));
    try {
      execFileSync('git', ['init', '-q', '-b', 'main', dir]);
      time([bin, 'init'], dir);
      const built = performance.now();
      const { seq } = await populate(dir, size);
      console.log(`\n${size} beads, ${seq} journal events (built in ${((performance.now() - built) / 1000).toFixed(1)} s)`);
      measure('citadel --help', [bin, '--help'], dir, node.p50);
      const ready = measure('citadel ready --json', [bin, 'ready', '--json'], dir, node.p50);
      console.log(`  ${''.padEnd(34)} (${JSON.parse(ready.stdout).length} ready beads, ${(ready.stdout.length / 1024).toFixed(0)} KiB of JSON)`);
      measure('citadel ready --limit 10 --json', [bin, 'ready', '--limit', '10', '--json'], dir, node.p50);
      measure('citadel bead create', [bin, 'bead', 'create', 'Benchmark bead'], dir, node.p50);
      const id = JSON.parse(time([bin, 'ready', '--limit', '1', '--json'], dir).stdout)[0].id;
      measure('citadel bead show --json', [bin, 'bead', 'show', id, '--json'], dir, node.p50);
      measure('citadel mail inbox --json', [bin, 'mail', 'inbox', '--json'], dir, node.p50);
    } finally {
      if (process.env.BENCH_CLI_KEEP) console.log(`  (kept the town in ${dir})`);
      else rmSync(dir, { recursive: true, force: true });
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
