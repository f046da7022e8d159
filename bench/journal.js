// Journal benchmark (npm run bench:journal): fsync'd mutations/s with 1 and 8 writer
// processes, p50/p99 mutation latency, cold open + full read of 100k events / 10k entities,
// and a single-entity update at 1k vs 100k events. Figures only; nothing here fails on a time.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const { openJournal } = await import('../dist/journal/index.js');

const entity = (id, i) => ({ id, title: `bead ${id} number ${i}`, status: 'open', priority: i % 5, labels: ['bench'], body: 'x'.repeat(200), updated: i });

/** Child mode: one writer process doing `count` mutations, printing its latencies. */
async function child(dir, name, count, fsync) {
  const journal = openJournal(dir, { writer: name, fsync });
  const latencies = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const id = `${name}-${i % 100}`;
    await journal.mutate(() => ({ changes: [{ kind: 'beads', id, entity: entity(id, i), action: 'update' }], value: undefined }));
    latencies.push(performance.now() - t);
  }
  journal.close();
  process.stdout.write(JSON.stringify(latencies));
}

function runChild(dir, name, count, fsync) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [self, '--child', dir, name, String(count), fsync ? 'fsync' : 'nofsync'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`writer exited ${code}`))));
  });
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function writers(n, perWriter, fsync = true) {
  const dir = mkdtempSync(join(tmpdir(), 'citadel-bench-'));
  try {
    const t = performance.now();
    const all = (await Promise.all(Array.from({ length: n }, (_, i) => runChild(join(dir, 'journal'), `w${i}`, perWriter, fsync)))).flat();
    const seconds = (performance.now() - t) / 1000;
    all.sort((a, b) => a - b);
    const check = openJournal(join(dir, 'journal'), { writer: 'check' });
    const seq = check.read().seq;
    check.close();
    console.log(`${n} writer${n > 1 ? 's' : ' '} (fsync ${fsync ? 'on' : 'off'}): ${(all.length / seconds).toFixed(0)} mutations/s total (incl. process start), latency p50 ${pct(all, 0.5).toFixed(2)} ms p99 ${pct(all, 0.99).toFixed(2)} ms; seq ${seq} of ${n * perWriter} expected`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Builds a store of `events` records over `entities` entities in one process (fsync off: setup only). */
async function build(dir, events, entities) {
  const journal = openJournal(dir, { writer: 'bench', fsync: false });
  const perBatch = 10;
  for (let i = 0; i < events; i += perBatch) {
    const changes = [];
    for (let k = i; k < Math.min(events, i + perBatch); k++) {
      const id = `ct-${(k % entities).toString(36)}`;
      changes.push({ kind: 'beads', id, entity: entity(id, k), action: 'update' });
    }
    await journal.mutate(() => ({ changes, value: undefined }));
  }
  journal.close();
}

function coldRead(dir, options = {}) {
  const t = performance.now();
  const journal = openJournal(dir, { writer: 'reader', ...options });
  const view = journal.read();
  const n = view.all('beads').size;
  const ms = performance.now() - t;
  journal.close();
  return { ms, n, seq: view.seq };
}

/**
 * Single-entity update cost in a small and a big store, alternating between them so both see
 * the same disk conditions; with fsync on (the real cost) and off (the journal's own work).
 */
async function updateCosts(smallDir, bigDir, fsync) {
  const small = openJournal(smallDir, { writer: 'bench', fsync });
  const big = openJournal(bigDir, { writer: 'bench', fsync });
  small.read();
  big.read();
  const times = { small: [], big: [] };
  for (let i = 0; i < 300; i++) {
    for (const [name, journal] of [['small', small], ['big', big]]) {
      const t = performance.now();
      await journal.mutate(() => ({ changes: [{ kind: 'beads', id: 'ct-0', entity: entity('ct-0', i), action: 'update' }], value: undefined }));
      times[name].push(performance.now() - t);
    }
  }
  small.close();
  big.close();
  for (const list of Object.values(times)) list.sort((a, b) => a - b);
  return { small: pct(times.small, 0.5), big: pct(times.big, 0.5) };
}

/** The floor: one 400-byte append + fdatasync on this disk, right now. */
async function fsyncBaseline() {
  const { openSync, writeSync, fdatasyncSync, closeSync } = await import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'citadel-bench-'));
  try {
    const fd = openSync(join(dir, 'f'), 'a');
    const buffer = Buffer.alloc(400, 97);
    const t = performance.now();
    for (let i = 0; i < 300; i++) {
      writeSync(fd, buffer);
      fdatasyncSync(fd);
    }
    closeSync(fd);
    return (performance.now() - t) / 300;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** In-process mutations with projection files (atomic write + rename + directory fsync). */
async function withProjections(count) {
  const dir = mkdtempSync(join(tmpdir(), 'citadel-bench-'));
  try {
    const journal = openJournal(join(dir, 'journal'), { writer: 'bench', projections: dir });
    const t = performance.now();
    for (let i = 0; i < count; i++) {
      const id = `ct-${i % 100}`;
      await journal.mutate(() => ({ changes: [{ kind: 'beads', id, entity: entity(id, i), action: 'update' }], value: undefined }));
    }
    const ms = performance.now() - t;
    journal.close();
    console.log(`1 writer in-process with projection files: ${((count / ms) * 1000).toFixed(0)} mutations/s (${(ms / count).toFixed(2)} ms each)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run() {
  console.log(`journal bench on ${cpus().length} cores, Node ${process.version}`);
  const floor = await fsyncBaseline();
  console.log(`disk floor: one append + fdatasync = ${floor.toFixed(3)} ms (at most ${(1000 / floor).toFixed(0)} fsync'd mutations/s on this disk now)`);
  await writers(1, 2000);
  await writers(8, 250);
  await withProjections(1000);
  // The journal's own cost, without the disk: what the figures above become on a disk whose
  // fsync is cheap (add one fsync per mutation).
  await writers(1, 4000, false);
  await writers(8, 500, false);
  const dir = mkdtempSync(join(tmpdir(), 'citadel-bench-'));
  try {
    await build(join(dir, 'big'), 100_000, 10_000);
    coldRead(join(dir, 'big'));
    const reads = [coldRead(join(dir, 'big')), coldRead(join(dir, 'big')), coldRead(join(dir, 'big'))].sort((a, b) => a.ms - b.ms);
    console.log(`cold open + full read, 100k events / 10k entities: ${reads[1].ms.toFixed(1)} ms (median of 3; ${reads[1].n} entities at seq ${reads[1].seq})`);
    const memory = [1, 2, 3].map(() => coldRead(join(dir, 'big'), { queryIndex: false })).sort((a, b) => a.ms - b.ms);
    console.log(`cold open + full read without the query index (the compressed snapshot + tail), same store: ${memory[1].ms.toFixed(1)} ms (median of 3)`);
    await build(join(dir, 'small'), 1_000, 1_000);
    for (const fsync of [true, false]) {
      const { small, big } = await updateCosts(join(dir, 'small'), join(dir, 'big'), fsync);
      console.log(`single-entity update p50 (fsync ${fsync ? 'on' : 'off'}): ${small.toFixed(3)} ms at 1k events, ${big.toFixed(3)} ms at 100k events / 10k entities: ratio ${(big / small).toFixed(2)}x`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await disk();
}

// ---------------------------------------------------------------- disk (issue 18)

/** Child mode: one cold measure in a fresh process, printing its CPU ms as JSON. */
async function coldChild(dir, what) {
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const t = cpu();
  const w = performance.now();
  let n = 0;
  if (what === 'memory') {
    // Memory mode (no query index): the snapshot loaded (decompressed when compressed) + the tail.
    const journal = openJournal(dir, { writer: 'reader', queryIndex: false });
    n = journal.read().all('beads').size;
    journal.close();
  } else if (what === 'history') {
    // Every record of every segment, archived ones included (decompressed when compressed).
    const journal = openJournal(dir, { writer: 'reader', queryIndex: false });
    for (const _ of journal.records()) n++;
    journal.close();
  } else if (what === 'index') {
    // Index mode (what a CLI command does): never loads the snapshot.
    const journal = openJournal(dir, { writer: 'reader' });
    n = journal.read().seq;
    journal.close();
  }
  process.stdout.write(JSON.stringify({ cpu: cpu() - t, wall: performance.now() - w, n }));
}

function cold(dir, what) {
  const out = execFileSync(process.execPath, [self, '--cold', dir, what], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out);
}

const du = (path) => Number(execFileSync('du', ['-sm', path], { encoding: 'utf8' }).split('\t')[0]);

/**
 * The journal on disk at 100k beads (issue 18): a copy of the cached bench town as built (plain
 * archives, plain snapshot) beside a copy converted by this code (archives compressed, snapshot
 * compressed by a checkpoint), `du -sm` of each, and cold reads of both in alternating fresh
 * processes (CPU). Only when the town is cached (`npm run bench:scale` builds it); never in the cache.
 */
async function disk() {
  const { cachedTown, copyTown, cacheRoot } = await import('./scale-town.js');
  const { BUILDER_VERSION } = await import('./scale-town.js');
  const beads = Number(process.env.BENCH_JOURNAL_TOWN ?? 100_000);
  if (!existsSync(join(cacheRoot(), `town-${beads}-v${BUILDER_VERSION}`, 'built.json'))) {
    console.log(`disk at ${beads} beads: no cached town (npm run bench:scale builds it); skipped`);
    return;
  }
  const town = await cachedTown(beads);
  const root = mkdtempSync(join(tmpdir(), 'citadel-bench-disk-'));
  try {
    const plain = join(root, 'plain');
    const packed = join(root, 'packed');
    copyTown(town.dir, plain);
    copyTown(town.dir, packed);
    const journalOf = (repo) => join(repo, '.citadel', 'journal');
    const { compressArchived } = await import('../dist/journal/archive.js');
    const cpu = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    let t = cpu();
    const converted = compressArchived(journalOf(packed), true, [], Infinity);
    const convertMs = cpu() - t;
    const journal = openJournal(journalOf(packed), { writer: 'bench' });
    journal.read();
    t = cpu();
    await journal.checkpoint();
    const checkpointMs = cpu() - t;
    journal.close();
    const sizes = (repo) => {
      const dir = journalOf(repo);
      const snap = readdirSync(dir).filter((f) => f.startsWith('snapshot-')).map((f) => statSync(join(dir, f)).size).reduce((a, b) => a + b, 0);
      const index = readdirSync(dir).filter((f) => f.startsWith('index.sqlite')).map((f) => statSync(join(dir, f)).size).reduce((a, b) => a + b, 0);
      return `journal/ ${du(dir)} MiB (archive/ ${du(join(dir, 'archive'))} MiB, snapshot ${(snap / 2 ** 20).toFixed(1)} MiB, index ${(index / 2 ** 20).toFixed(0)} MiB), .citadel/ ${du(join(repo, '.citadel'))} MiB`;
    };
    console.log(`disk at ${town.beads} beads / ${town.seq} records, as built: ${sizes(plain)}`);
    console.log(`disk at ${town.beads} beads, compressed: ${sizes(packed)}; converting ${converted.length} archived segments took ${convertMs.toFixed(0)} ms CPU, a checkpoint (compressed snapshot) ${checkpointMs.toFixed(0)} ms CPU`);
    // Plain town first in this process to warm the page cache for both.
    for (const what of ['index', 'memory', 'history']) {
      cold(journalOf(plain), what);
      cold(journalOf(packed), what);
      const runs = { plain: [], packed: [] };
      for (let i = 0; i < (what === 'history' ? 2 : 4); i++) {
        runs.plain.push(cold(journalOf(plain), what));
        runs.packed.push(cold(journalOf(packed), what));
      }
      const med = (list, key) => list.map((r) => r[key]).sort((a, b) => a - b)[Math.floor((list.length - 1) / 2)];
      const label = { index: 'cold open, index mode (a CLI command)', memory: 'cold open + full read, memory mode (snapshot + tail)', history: 'records() over the whole history' }[what];
      console.log(`${label}: plain ${med(runs.plain, 'cpu').toFixed(0)} ms CPU (${med(runs.plain, 'wall').toFixed(0)} wall), compressed ${med(runs.packed, 'cpu').toFixed(0)} ms CPU (${med(runs.packed, 'wall').toFixed(0)} wall), median of ${runs.plain.length} alternating fresh processes; n ${runs.plain[0].n} / ${runs.packed[0].n}`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--cold') await coldChild(process.argv[3], process.argv[4]);
if (process.argv[2] === '--disk') await disk();
if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4], Number(process.argv[5]), process.argv[6] === 'fsync');
