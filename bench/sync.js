// Federation sync (docs/federation.md, issue 19): the time of a `citadel sync` that carries
// 1,000 new events through a local bare remote (budget ≤ 2 s), at two journal sizes, to show
// that its cost does not grow with the journal. Each figure is a fresh `citadel sync` process:
// the sending town's (export + commit + push) and the receiving town's (fetch + materialize).
// Knobs: BENCH_SYNC_SIZES (journal events before the 1,000, default "1000,40000"), BENCH_SYNC_RUNS (3).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelContext } from '../dist/model/context.js';
import { transact } from '../dist/model/transaction.js';
import { openTownAt } from '../dist/town/town.js';

const bin = fileURLToPath(new URL('../bin/citadel.js', import.meta.url));
const env = { ...process.env, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'b@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'b@example.com', CITADEL_ACTOR: '', CITADEL_TOWN: '' };
const git = (cwd, ...args) => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();
const citadel = (cwd, ...args) => execFileSync(process.execPath, [bin, ...args], { cwd, env, encoding: 'utf8' });

/** CPU time of this process and its waited-for children (citadel, git), from /proc. */
function cpuMs() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return ([11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0) * 1000) / 100;
}

function timed(work) {
  const cpu = cpuMs();
  const wall = performance.now();
  work();
  return { wall: performance.now() - wall, cpu: cpuMs() - cpu };
}

/** `events` journal records in town `root`: creates, then updates, 2,000 per mutation. */
async function addEvents(root, events, label) {
  const town = openTownAt(root, 'overseer');
  const ctx = modelContext('overseer', 'ct');
  try {
    const ids = [];
    let left = events;
    while (left > 0) {
      const n = Math.min(2000, left);
      const { value } = await town.journal.mutate(
        transact(ctx, (tx) => {
          const made = [];
          for (let i = 0; i < n; i++) {
            if (ids.length < 500 || i % 2 === 0) made.push(tx.create({ title: `${label} ${ids.length + made.length}`, body: 'x'.repeat(200) }).id);
            else tx.update(ids[(i * 7919) % ids.length], { priority: i % 5, title: `${label} edit ${i}` });
          }
          return made;
        }),
      );
      ids.push(...value);
      left -= n;
    }
  } finally {
    town.close();
  }
}

export async function run() {
  const sizes = (process.env.BENCH_SYNC_SIZES ?? '1000,40000').split(',').map(Number);
  const runs = Number(process.env.BENCH_SYNC_RUNS ?? 3);
  console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'citadel-bench-sync-'));
    try {
      const hub = join(dir, 'hub.git');
      git(dir, 'init', '-q', '--bare', '-b', 'main', hub);
      git(dir, 'init', '-q', '-b', 'main', join(dir, 'seed'));
      git(join(dir, 'seed'), 'commit', '-q', '--allow-empty', '-m', 'initial');
      git(join(dir, 'seed'), 'push', '-q', hub, 'main');
      const a = join(dir, 'a');
      const b = join(dir, 'b');
      git(dir, 'clone', '-q', hub, a);
      git(dir, 'clone', '-q', hub, b);
      citadel(a, 'init');
      citadel(b, 'init');
      await addEvents(a, size, 'old');
      citadel(a, 'sync');
      citadel(b, 'sync');
      const send = [];
      const receive = [];
      for (let r = 0; r < runs; r++) {
        await addEvents(a, 1000, `new${r}`);
        send.push(timed(() => citadel(a, 'sync')));
        receive.push(timed(() => citadel(b, 'sync')));
      }
      const seq = openTownAt(a, 'overseer');
      const head = seq.journal.headSeq();
      seq.close();
      const median = (xs, key) => [...xs].map((x) => x[key]).sort((p, q) => p - q)[Math.floor(xs.length / 2)];
      console.log(
        `sync of 1,000 events, journal ${head.toLocaleString('en')} records: send ${median(send, 'wall').toFixed(0)} ms wall / ${median(send, 'cpu').toFixed(0)} ms cpu, ` +
          `receive ${median(receive, 'wall').toFixed(0)} ms wall / ${median(receive, 'cpu').toFixed(0)} ms cpu (median of ${runs}; budget 2,000 ms)`,
      );
      const baseline = timed(() => execFileSync(process.execPath, ['-e', '0']));
      console.log(`  node -e 0: ${baseline.wall.toFixed(0)} ms wall / ${baseline.cpu.toFixed(0)} ms cpu`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
}
