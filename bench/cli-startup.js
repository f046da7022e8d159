// Cold start of the `citadel` process (npm run bench:cli, printed first; docs/cli.md, "Startup").
// Budget (issue 18): every data command ≤ 2× `node -e 0` in a fresh process, so what the CLI
// itself loads must be a small part of it. Each figure is a fresh process, interleaved with the
// others in the same run (so a load spike hits all alike), on a small town (BENCH_STARTUP_BEADS,
// default 200). CPU is the process's own (user + system, read at exit by a CommonJS preload, which
// `node -e 0` pays too); on a busy machine wall time mostly measures the other processes.
// Figures only; nothing here fails on a time.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/citadel.js', import.meta.url));
const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 21);
const BEADS = Number(process.env.BENCH_STARTUP_BEADS ?? 200);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'citadel-bench-startup-'));
  try {
    const hook = join(dir, 'cpu-at-exit.cjs');
    writeFileSync(hook, "process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write('\\n@@cpu ' + (u.user + u.system) / 1000); });\n");
    const town = join(dir, 'town');
    execFileSync('git', ['init', '-q', '-b', 'main', town]);
    execFileSync(process.execPath, [bin, 'init'], { cwd: town, stdio: 'ignore' });
    const { populate } = await import('./cli.js');
    await populate(town, BEADS);
    const id = JSON.parse(execFileSync(process.execPath, [bin, 'ready', '--limit', '1', '--json'], { cwd: town, encoding: 'utf8' }))[0].id;

    const variants = [
      ['node -e 0 (Node start-up)', ['-e', '0']],
      ['citadel --version', [bin, '--version']],
      ['citadel --help', [bin, '--help']],
      ['citadel ready --json', [bin, 'ready', '--json']],
      ['citadel ready --limit 10 --json', [bin, 'ready', '--limit', '10', '--json']],
      ['citadel bead show --json', [bin, 'bead', 'show', id, '--json']],
      ['citadel mail inbox --json', [bin, 'mail', 'inbox', '--json']],
    ];
    const samples = variants.map(() => ({ cpu: [], wall: [] }));
    const before = load();
    for (let round = 0; round <= RUNS; round++) {
      variants.forEach(([label, args], index) => {
        const start = performance.now();
        const result = spawnSync(process.execPath, ['--require', hook, ...args], { cwd: town, env: { ...process.env, CITADEL_ACTOR: 'bench' }, encoding: 'utf8', maxBuffer: 1 << 26 });
        const wall = performance.now() - start;
        if (result.status !== 0) throw new Error(`${label} exited ${result.status}: ${result.stderr}`);
        if (round === 0) return; // warm the page cache
        samples[index].cpu.push(Number(/@@cpu ([\d.]+)/.exec(result.stderr)?.[1] ?? NaN));
        samples[index].wall.push(wall);
      });
    }
    console.log(`cold start: a fresh process per call, ${RUNS} interleaved rounds, ${BEADS}-bead town; budget for a data command ≤ 2× node -e 0`);
    console.log(`load average ${before} at the start, ${load()} at the end, on ${cpus().length} cores`);
    const base = { cpu: median(samples[0].cpu), wall: median(samples[0].wall) };
    const fmt = (ms) => ms.toFixed(0).padStart(4);
    variants.forEach(([label], index) => {
      const cpu = median(samples[index].cpu);
      const wall = median(samples[index].wall);
      const ratio = index === 0 ? '' : `   ${(cpu / base.cpu).toFixed(2)}× node cpu, ${(wall / base.wall).toFixed(2)}× wall, +${fmt(cpu - base.cpu)} ms cpu`;
      console.log(`  ${label.padEnd(34)} cpu p50 ${fmt(cpu)} ms  wall p50 ${fmt(wall)} ms${ratio}`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
