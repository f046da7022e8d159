// Cold start of the `citadel` process (npm run bench:cli, printed first; docs/cli.md, "Startup").
// Budget (issue 18): every data command ≤ 2× `node -e 0` in a fresh process, so what the CLI
// itself loads must be a small part of it. Each figure is a fresh process, interleaved with the
// others in the same run (so a load spike hits all alike), on a small town (BENCH_STARTUP_BEADS,
// default 200). CPU is the process's own (user + system, read at exit by a CommonJS preload, which
// `node -e 0` pays too); on a busy machine wall time mostly measures the other processes. The
// commands agents run most are here too, as a polecat (`nux`, holding a bead) would run them:
// `prime`, `hook pre-tool-use` (every tool call; after the first round it is throttled, a read),
// `mail send`, and `done` from the polecat's worktree on a fresh branch each run (so each run
// files a merge request). `modules` is how many modules the command loads (a module-loader hook,
// one extra run, without the bundle). The data commands run from dist/cli/data.cjs with a V8 code
// cache (bin/citadel.js); the first round warms it. Figures only; nothing here fails on a time.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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
    const [id, held] = JSON.parse(execFileSync(process.execPath, [bin, 'ready', '--limit', '2', '--json'], { cwd: town, encoding: 'utf8' })).map((bead) => bead.id);

    // A polecat as the daemon records one at sling time: nux holds `held`, in its own worktree.
    const { openTownAt } = await import('../dist/town/town.js');
    const writer = openTownAt(town, 'daemon');
    await writer.journal.mutate(() => ({ changes: [{ kind: 'polecats', id: 'nux', entity: { id: 'nux', status: 'working', bead: held }, action: 'spawn' }], value: undefined }));
    writer.close();
    execFileSync(process.execPath, [bin, 'bead', 'update', held, '--claim'], { cwd: town, env: { ...process.env, CITADEL_ACTOR: 'nux' }, stdio: 'ignore' });
    const worktree = join(dir, 'nux');
    const git = (cwd, ...args) => execFileSync('git', ['-c', 'user.name=nux', '-c', 'user.email=nux@example.invalid', ...args], { cwd, stdio: 'ignore' });
    git(town, 'commit', '-q', '--allow-empty', '-m', 'start');
    git(town, 'worktree', 'add', '-q', '-b', `polecat/nux/${held}`, worktree, 'main');
    const polecat = { CITADEL_ACTOR: 'nux', CITADEL_POLECAT: 'nux', CITADEL_BEAD: held, CITADEL_TOWN: town };
    let branches = 0;
    const freshBranch = () => {
      git(worktree, 'checkout', '-q', '-b', `polecat/nux/${held}-${++branches}`);
      git(worktree, 'commit', '-q', '--allow-empty', '-m', 'work');
    };

    const variants = [
      ['node -e 0 (Node start-up)', ['-e', '0']],
      ['citadel --version', [bin, '--version']],
      ['citadel --help', [bin, '--help']],
      ['citadel ready --json', [bin, 'ready', '--json']],
      ['citadel ready --json (no bundle)', [bin, 'ready', '--json'], { env: { CITADEL_NO_BUNDLE: '1' } }],
      ['citadel ready --limit 10 --json', [bin, 'ready', '--limit', '10', '--json']],
      ['citadel bead show --json', [bin, 'bead', 'show', id, '--json']],
      ['citadel mail inbox --json', [bin, 'mail', 'inbox', '--json']],
      ['citadel prime (polecat)', [bin, 'prime'], { env: polecat, cwd: worktree }],
      ['citadel prime --json (polecat)', [bin, 'prime', '--json'], { env: polecat, cwd: worktree }],
      ['citadel hook pre-tool-use', [bin, 'hook', 'pre-tool-use'], { env: polecat, cwd: worktree, input: '{"hook_event_name":"PreToolUse"}' }],
      ['citadel mail send (polecat)', [bin, 'mail', 'send', '--to', 'overseer', '--subject', 'bench', '--body', 'a question'], { env: polecat, cwd: worktree }],
      ['citadel done (fresh branch)', [bin, 'done'], { env: polecat, cwd: worktree, before: freshBranch }],
    ];
    const spawn = (args, options = {}, extraEnv = {}) => {
      options.before?.();
      return spawnSync(process.execPath, args, {
        cwd: options.cwd ?? town,
        env: { ...process.env, CITADEL_ACTOR: 'bench', ...options.env, ...extraEnv },
        input: options.input ?? '',
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      });
    };
    const samples = variants.map(() => ({ cpu: [], wall: [] }));
    const before = load();
    for (let round = 0; round <= RUNS; round++) {
      variants.forEach(([label, args, options], index) => {
        const start = performance.now();
        const result = spawn(['--require', hook, ...args], options);
        const wall = performance.now() - start;
        if (result.status !== 0) throw new Error(`${label} exited ${result.status}: ${result.stderr}`);
        if (round === 0) return; // warm the page cache
        samples[index].cpu.push(Number(/@@cpu ([\d.]+)/.exec(result.stderr)?.[1] ?? NaN));
        samples[index].wall.push(wall);
      });
    }
    // How many modules each loads (one more run under a module-loader hook), as ES modules:
    // the bundled commands are counted without the bundle (CITADEL_NO_BUNDLE=1), whose lazily
    // initialised parts follow the same structure.
    const modulesLog = join(dir, 'modules.log');
    writeFileSync(join(dir, 'count.mjs'), `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(modulesLog)}, url + '\\n'); return next(url, context); }\n`);
    writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'count.mjs')).href)});\n`);
    const modules = variants.map(([, args, options]) => {
      rmSync(modulesLog, { force: true });
      spawn(args, options, { CITADEL_NO_BUNDLE: '1', NODE_OPTIONS: `--import=${pathToFileURL(join(dir, 'register.mjs')).href}` });
      return existsSync(modulesLog) ? new Set(readFileSync(modulesLog, 'utf8').split('\n').filter((url) => url.startsWith('file:'))).size - 1 : 0;
    });
    console.log(`cold start: a fresh process per call, ${RUNS} interleaved rounds, ${BEADS}-bead town; budget for a data command ≤ 2× node -e 0`);
    console.log(`load average ${before} at the start, ${load()} at the end, on ${cpus().length} cores`);
    const base = { cpu: median(samples[0].cpu), wall: median(samples[0].wall) };
    const fmt = (ms) => ms.toFixed(0).padStart(4);
    variants.forEach(([label], index) => {
      const cpu = median(samples[index].cpu);
      const wall = median(samples[index].wall);
      const ratio = index === 0 ? '' : `   ${(cpu / base.cpu).toFixed(2)}× node cpu, ${(wall / base.wall).toFixed(2)}× wall, +${fmt(cpu - base.cpu)} ms cpu, ${String(modules[index]).padStart(3)} modules`;
      console.log(`  ${label.padEnd(34)} cpu p50 ${fmt(cpu)} ms  wall p50 ${fmt(wall)} ms${ratio}`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
