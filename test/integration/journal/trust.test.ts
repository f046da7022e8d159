import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../../src/journal/doctor.js';
import type { Entity } from '../../../src/journal/index.js';
import { runCli } from '../../helpers/cli.js';
import { git, makeRepo } from '../../helpers/git.js';
import { tempDir } from '../../helpers/temp.js';
import { HeadWriter, type Head } from '../../../src/journal/head.js';
import { open } from './helpers.js';

/**
 * Issue 13 ("Trust"), the journal's part, through the real binary: no silent loss (a journal
 * shorter than HEAD.json or a snapshot fails closed and `doctor --repair` recovers it), nothing
 * reaches outside the town (links refused), clear one-line errors.
 */
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** A bead as `citadel bead create` writes it. */
function bead(id: string, title: string): Entity {
  const at = '2026-01-01T00:00:00.000Z';
  return { id, type: 'task', title, body: '', status: 'open', priority: 2, labels: [], assignee: null, needs: [], parent: null, created_by: 'test', created_at: at, updated_at: at, closed_at: null, close_reason: null };
}

interface Town {
  root: string;
  citadel: string;
  journalDir: string;
}

async function town(beads: number, options: { segmentBytes?: number; checkpointEvery?: number } = {}): Promise<Town> {
  const repo = makeRepo();
  cleanups.push(repo.dispose);
  expect((await runCli(['init'], { cwd: repo.path })).code).toBe(0);
  const citadel = join(repo.path, '.citadel');
  const journalDir = join(citadel, 'journal');
  const journal = open(journalDir, { projections: citadel, segmentBytes: options.segmentBytes ?? 1500, checkpointEvery: options.checkpointEvery ?? 1000, fsync: false });
  for (let i = 0; i < beads; i++) await journal.mutate(() => ({ changes: [{ kind: 'beads', id: `ct-${i}`, entity: bead(`ct-${i}`, `bead ${i}`), action: 'create' }], value: 0 }));
  journal.close();
  return { root: repo.path, citadel, journalDir };
}

const readHeadSeq = (dir: string): number => (JSON.parse(readFileSync(join(dir, 'HEAD.json'), 'utf8')) as { seq: number }).seq;
const segments = (dir: string): string[] => readdirSync(dir).filter((f) => /^seg-\d+\.jsonl(\.cz)?$/.test(f)).sort();
const titles = (stdout: string): string[] => (JSON.parse(stdout) as { title: string }[]).map((b) => b.title).sort();
const expectedTitles = (n: number, extra: string[] = []): string[] => [...Array.from({ length: n }, (_, i) => `bead ${i}`), ...extra].sort();

async function doctor(cwd: string, ...args: string[]): Promise<{ code: number; report: DoctorReport & { repaired?: string[] } }> {
  const result = await runCli(['doctor', '--json', ...args], { cwd });
  expect(result.stderr).toBe('');
  return { code: result.code, report: JSON.parse(result.stdout) as DoctorReport & { repaired?: string[] } };
}

/** One line on stderr, `citadel: …`, no stack trace. */
function expectOneLine(result: { code: number; stderr: string }, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(/^citadel: /);
  expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
}

/** Byte offset just after the record of `seq` in a segment file. */
function endOfSeq(file: string, seq: number): number {
  const text = readFileSync(file);
  const at = text.indexOf(`"seq":${seq},`);
  return text.indexOf(10, at) + 1;
}

/**
 * Most tests here are about projection files, which a town writes for polecats only since
 * issue 18: they ask for every kind (`CITADEL_PROJECT_KINDS=all`, inherited by the binary).
 * The test after the first group checks the default, where the query index is the last copy.
 */
process.env.CITADEL_PROJECT_KINDS = 'all';

describe('no silent loss: a journal shorter than HEAD.json fails closed, and --repair recovers', { timeout: 180_000 }, () => {
  it('without bead projection files (the default): the newest segment deleted fails closed, and --repair brings every bead back from the query index', async () => {
    const repo = makeRepo();
    cleanups.push(repo.dispose);
    const env = { CITADEL_PROJECT_KINDS: '' };
    expect((await runCli(['init'], { cwd: repo.path, env })).code).toBe(0);
    const citadel = join(repo.path, '.citadel');
    const journalDir = join(citadel, 'journal');
    const journal = open(journalDir, { projections: citadel, projectKinds: ['polecats'], segmentBytes: 1500, checkpointEvery: 1000, fsync: false });
    for (let i = 0; i < 12; i++) await journal.mutate(() => ({ changes: [{ kind: 'beads', id: `ct-${i}`, entity: bead(`ct-${i}`, `bead ${i}`), action: 'create' }], value: 0 }));
    journal.close();
    expect(existsSync(join(citadel, 'beads'))).toBe(false);
    expect(segments(journalDir).length).toBeGreaterThan(1);
    unlinkSync(join(journalDir, segments(journalDir).at(-1)!));
    expectOneLine(await runCli(['bead', 'list'], { cwd: repo.path, env }), /HEAD\.json says 12: records? \d+(\.\.12)? (is|are) missing/);
    const result = await runCli(['doctor', '--json', '--repair'], { cwd: repo.path, env });
    const repaired = JSON.parse(result.stdout) as DoctorReport & { repaired: string[] };
    expect(result.code, repaired.problems.join('\n')).toBe(0);
    expect(repaired.repaired.join('\n')).toMatch(/recovered \d+ entit(y|ies) the journal lost \(\d+ from the query index\)/);
    const after = await runCli(['bead', 'list', '--json'], { cwd: repo.path, env });
    expect(titles(after.stdout)).toEqual(expectedTitles(12));
    expect((await runCli(['doctor'], { cwd: repo.path, env })).code).toBe(0);
  });

  const damages: { name: string; damage: (t: Town) => void }[] = [
    { name: 'the newest segment cut at a record boundary', damage: (t) => truncateSync(join(t.journalDir, segments(t.journalDir).at(-1)!), endOfSeq(join(t.journalDir, segments(t.journalDir).at(-1)!), 10)) },
    { name: 'the newest segment cut inside a record', damage: (t) => truncateSync(join(t.journalDir, segments(t.journalDir).at(-1)!), endOfSeq(join(t.journalDir, segments(t.journalDir).at(-1)!), 10) + 40) },
    { name: 'the newest segment deleted', damage: (t) => unlinkSync(join(t.journalDir, segments(t.journalDir).at(-1)!)) },
  ];
  for (const { name, damage } of damages) {
    it(`${name}: every command fails closed in one line, no projection is deleted, no seq reused; doctor errs; --repair brings every bead back`, async () => {
      const t = await town(12);
      expect(segments(t.journalDir).length).toBeGreaterThan(1);
      damage(t);
      const list = await runCli(['bead', 'list'], { cwd: t.root });
      expectOneLine(list, /the journal ends at seq \d+ but HEAD\.json says 12: records? \d+(\.\.12)? (is|are) missing; run `citadel doctor --repair`/);
      expect(readdirSync(join(t.citadel, 'beads')).filter((f) => f.endsWith('.json'))).toHaveLength(12);
      const before = segments(t.journalDir).map((s) => readFileSync(join(t.journalDir, s)));
      expectOneLine(await runCli(['bead', 'create', 'must not reuse a seq'], { cwd: t.root }), /doctor --repair/);
      expectOneLine(await runCli(['ready'], { cwd: t.root }), /missing/);
      expect(segments(t.journalDir).map((s) => readFileSync(join(t.journalDir, s)))).toEqual(before);

      const report = await doctor(t.root);
      expect(report.code).toBe(1);
      expect(report.report.problems.join('\n')).toMatch(/the journal ends at seq \d+ but HEAD\.json says 12/);

      const repaired = await doctor(t.root, '--repair');
      expect(repaired.code, repaired.report.problems.join('\n')).toBe(0);
      expect(repaired.report.repaired!.join('\n')).toMatch(/recovered \d+ entit(y|ies) the journal lost \(\d+ from projection files\)/);
      expect(repaired.report.seq).toBeGreaterThan(12);
      const after = await runCli(['bead', 'list', '--json'], { cwd: t.root });
      expect(after.code, after.stderr).toBe(0);
      expect(titles(after.stdout)).toEqual(expectedTitles(12));
      expect((await runCli(['bead', 'create', 'after repair'], { cwd: t.root })).code).toBe(0);
      const final = await doctor(t.root);
      expect(final.code, final.report.problems.join('\n')).toBe(0);
      expect(final.report.seq).toBe(repaired.report.seq + 1);
    });
  }

  it('a git checkout that puts a committed journal back to an older copy is detected and repaired; init keeps all but config.json and molecules/ out of git', async () => {
    // One segment for all six records (records carry their hash chain's prev since issue 20:
    // four no longer fit in the default 1500 test bytes, and the roll would keep seq 5 safe from the checkout).
    const t = await town(4, { segmentBytes: 1 << 20 });
    const exclude = readFileSync(join(t.root, '.git', 'info', 'exclude'), 'utf8');
    expect(exclude).toContain('/.citadel/*\n!/.citadel/config.json\n!/.citadel/molecules/\n');
    mkdirSync(join(t.citadel, 'molecules'));
    writeFileSync(join(t.citadel, 'molecules', 'ship.md'), '# ship\n');
    expect(git(t.root, 'status', '--porcelain', '--untracked-files=all').split('\n').sort()).toEqual(['?? .citadel/config.json', '?? .citadel/molecules/ship.md']);
    // A repository that commits its journal anyway, as the excludes of older citadels allowed
    // (segments and projection files; HEAD.json and snapshots were excluded).
    git(t.root, 'add', '-f', '.citadel/journal/seg-000000000001.jsonl', '.citadel/beads');
    git(t.root, 'commit', '-q', '-m', 'commit the town');
    for (const title of ['five', 'six']) expect((await runCli(['bead', 'create', title], { cwd: t.root })).code).toBe(0);
    git(t.root, 'checkout', '--', '.citadel');
    expectOneLine(await runCli(['bead', 'list'], { cwd: t.root }), /the journal ends at seq 4 but HEAD\.json says 6/);
    expect((await doctor(t.root)).code).toBe(1);
    const repaired = await doctor(t.root, '--repair');
    expect(repaired.code, repaired.report.problems.join('\n')).toBe(0);
    const list = await runCli(['bead', 'list', '--json'], { cwd: t.root });
    expect(titles(list.stdout)).toEqual(expectedTitles(4, ['five', 'six']));
  });

  it('deleting the oldest segment while a valid snapshot covers it reads fine: the snapshot makes it redundant', async () => {
    const t = await town(40, { segmentBytes: 1200, checkpointEvery: 10 });
    const archive = join(t.journalDir, 'archive');
    const oldest = segments(archive)[0]!;
    unlinkSync(join(archive, oldest));
    const list = await runCli(['bead', 'list', '--json'], { cwd: t.root });
    expect(list.code, list.stderr).toBe(0);
    expect(titles(list.stdout)).toEqual(expectedTitles(40));
    const report = await doctor(t.root);
    expect(report.code, report.report.problems.join('\n')).toBe(0);
    expect((await runCli(['bead', 'create', 'forty-one'], { cwd: t.root })).code).toBe(0);
    const repaired = await doctor(t.root, '--repair');
    expect(repaired.code, repaired.report.problems.join('\n')).toBe(0);
    expect(titles((await runCli(['bead', 'list', '--json'], { cwd: t.root })).stdout)).toEqual(expectedTitles(40, ['forty-one']));
  });

  it('a forged HEAD.json claiming seq 50 million: every command fails closed, and --repair refuses in one line instead of writing millions of markers', async () => {
    const t = await town(5);
    const head = JSON.parse(readFileSync(join(t.journalDir, 'HEAD.json'), 'utf8')) as Head & { crc32c?: string };
    delete head.crc32c;
    new HeadWriter(t.journalDir).write({ ...head, seq: 50_000_000 });
    expectOneLine(await runCli(['bead', 'list'], { cwd: t.root }), /records .* missing/);
    const before = segments(t.journalDir).map((name) => statSync(join(t.journalDir, name)).size);
    const repair = await runCli(['doctor', '--repair'], { cwd: t.root });
    expectOneLine(repair, /HEAD\.json says the journal reached seq 50000000, but its segments end at seq 5: .* move it out of/);
    expect(segments(t.journalDir).map((name) => statSync(join(t.journalDir, name)).size)).toEqual(before);
    // The way out it names: HEAD.json is a cache.
    renameSync(join(t.journalDir, 'HEAD.json'), join(t.root, 'HEAD.json.forged'));
    const list = await runCli(['bead', 'list', '--json'], { cwd: t.root });
    expect(list.code, list.stderr).toBe(0);
    expect(titles(list.stdout)).toEqual(expectedTitles(5));
  });

  it('a read without HEAD.json (nothing says how far the projections got) fills in missing projection files and rewrites none', async () => {
    const t = await town(3);
    rmSync(join(t.journalDir, 'HEAD.json'));
    rmSync(join(t.citadel, 'beads', 'ct-0.json'));
    const newer = `${JSON.stringify({ ...bead('ct-1', 'a newer title the journal lost'), updated_at: '2026-02-01T00:00:00.000Z' }, null, 2)}\n`;
    writeFileSync(join(t.citadel, 'beads', 'ct-1.json'), newer);
    const list = await runCli(['bead', 'list', '--json'], { cwd: t.root });
    expect(list.code, list.stderr).toBe(0);
    expect(existsSync(join(t.citadel, 'beads', 'ct-0.json'))).toBe(true);
    expect(readFileSync(join(t.citadel, 'beads', 'ct-1.json'), 'utf8')).toBe(newer);
    expect((await doctor(t.root)).report.problems.join('\n')).toMatch(/1 stale/);
  });

  it('a bit flip inside one record of a 2,100-record mutation names that one record; --repair keeps the covering snapshot and every bead', async () => {
    const t = await town(12, { segmentBytes: 4 << 20, checkpointEvery: 2000 });
    const journal = open(t.journalDir, { projections: t.citadel, segmentBytes: 4 << 20, checkpointEvery: 2000, fsync: false });
    await journal.mutate(() => ({ changes: Array.from({ length: 2100 }, (_, k) => ({ kind: 'beads', id: `ct-b${k}`, entity: bead(`ct-b${k}`, `batch ${k}`), action: 'create' })), value: 0 }));
    journal.close();
    const snapshots = readdirSync(t.journalDir).filter((f) => f.startsWith('snapshot-'));
    expect(snapshots).toEqual(['snapshot-000000002112.json']);
    const segment = join(t.journalDir, segments(t.journalDir)[0]!);
    const bytes = readFileSync(segment);
    const at = bytes.indexOf('"title":"batch 1000"') + 12;
    bytes[at]! ^= 0x01;
    writeFileSync(segment, bytes);

    const before = await doctor(t.root);
    expect(before.code).toBe(1);
    expect(before.report.corrupt).toEqual([expect.objectContaining({ seq: 1013, reason: 'CRC32C mismatch' })]);
    // Reads are served by the snapshot, which covers the damaged record: nothing is lost to them.
    expect((await runCli(['bead', 'list'], { cwd: t.root })).code).toBe(0);

    const repaired = await doctor(t.root, '--repair');
    expect(repaired.code, repaired.report.problems.join('\n')).toBe(0);
    expect(repaired.report.repaired!.join('\n')).toMatch(/recovered 1 entity from snapshot-000000002112\.json/);
    expect(existsSync(join(t.journalDir, 'snapshot-000000002112.json'))).toBe(true);
    expect(readdirSync(join(t.journalDir, 'quarantine')).filter((f) => f.startsWith('snapshot-'))).toEqual([]);
    const list = await runCli(['bead', 'list', '--json', '--all'], { cwd: t.root });
    expect(list.code, list.stderr).toBe(0);
    const all = JSON.parse(list.stdout) as { id: string; title: string }[];
    expect(all).toHaveLength(2112);
    expect(all.find((b) => b.id === 'ct-b1000')?.title).toBe('batch 1000');
  });
});

describe('nothing reaches outside the town: links in the journal or projection dirs are refused', { timeout: 180_000 }, () => {
  const cases: { name: string; plant: (t: Town, victim: string) => void; command: string[] }[] = [
    { name: 'HEAD.json', plant: (t, victim) => replaceWithLink(join(t.journalDir, 'HEAD.json'), victim), command: ['ready'] },
    { name: 'LOCK', plant: (t, victim) => replaceWithLink(join(t.journalDir, 'LOCK'), victim), command: ['bead', 'create', 'x'] },
    { name: 'the newest segment', plant: (t, victim) => replaceWithLink(join(t.journalDir, segments(t.journalDir).at(-1)!), victim), command: ['ready'] },
    {
      name: 'the beads/ projection dir (in a clone without HEAD.json)',
      plant: (t, victim) => {
        rmSync(join(t.journalDir, 'HEAD.json'));
        rmSync(join(t.citadel, 'beads'), { recursive: true });
        symlinkSync(victim, join(t.citadel, 'beads'));
      },
      command: ['ready'],
    },
  ];
  for (const { name, plant, command } of cases) {
    it(`${name} as a symbolic link: \`citadel ${command.join(' ')}\` refuses in one line naming it; the target is untouched`, async () => {
      const t = await town(3);
      const outside = tempDir('citadel-victim-');
      cleanups.push(outside.dispose);
      const victimDir = join(outside.path, 'dir');
      mkdirSync(victimDir);
      writeFileSync(join(victimDir, 'ct-0.json'), 'precious\n');
      const victimFile = join(outside.path, 'precious.txt');
      writeFileSync(victimFile, 'precious\n');
      plant(t, name.startsWith('the beads/') ? victimDir : victimFile);
      const result = await runCli(command, { cwd: t.root });
      expectOneLine(result, /symbolic link: citadel never follows links inside \.citadel\//);
      expect(result.stderr).toContain(t.citadel);
      expect(readFileSync(victimFile, 'utf8')).toBe('precious\n');
      expect(readdirSync(victimDir)).toEqual(['ct-0.json']);
      expect(readFileSync(join(victimDir, 'ct-0.json'), 'utf8')).toBe('precious\n');
      const report = await doctor(t.root);
      expect(report.code).toBe(1);
    });
  }

  it('journal files, snapshots, HEAD.json, LOCK and projections are 0600, their directories 0700', async () => {
    const t = await town(30, { segmentBytes: 1500, checkpointEvery: 10 });
    expect((await runCli(['bead', 'create', 'x'], { cwd: t.root })).code).toBe(0);
    const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? [join(dir, f), ...walk(join(dir, f))] : [join(dir, f)]));
    const paths = [t.journalDir, ...walk(t.journalDir), join(t.citadel, 'beads'), ...walk(join(t.citadel, 'beads'))];
    expect(paths.some((p) => p.includes('snapshot-'))).toBe(true);
    expect(paths.some((p) => p.includes('archive'))).toBe(true);
    for (const path of paths) expect((statSync(path).mode & 0o777).toString(8), path).toBe(statSync(path).isDirectory() ? '700' : '600');
  });
});

describe('a big town: damage across more records than one call can take as arguments', { timeout: 300_000 }, () => {
  // Past ~125k arguments, Math.max(...seqs) throws a RangeError: doctor and --repair must
  // report and repair, not print "internal error" and a stack trace.
  const n = 140_000;
  async function bigTown(): Promise<Town> {
    const t = await town(0);
    const journal = open(t.journalDir, { segmentBytes: 1 << 30, checkpointEvery: 1 << 30, fsync: false });
    await journal.mutate(() => ({ changes: Array.from({ length: n }, (_, i) => ({ kind: 'notes', id: `n${i}`, entity: { id: `n${i}` }, action: 'create' })), value: 0 }));
    journal.close();
    return t;
  }

  it(`a torn tail of one ${n}-record mutation (a crash mid-append of a big import): doctor reports it, --repair sets it aside`, async () => {
    const t = await bigTown();
    rmSync(join(t.journalDir, 'HEAD.json'));
    const segment = join(t.journalDir, segments(t.journalDir)[0]!);
    truncateSync(segment, statSync(segment).size - 100);
    const report = await doctor(t.root);
    expect(report.code).toBe(1);
    expect(report.report.problems.join('\n')).toMatch(/torn tail of \d+ bytes/);
    const repaired = await doctor(t.root, '--repair');
    expect(repaired.code).toBe(0);
    expect(repaired.report.repaired!.join('\n')).toMatch(/set aside a torn tail/);
  });

  it(`${n} acknowledged records cut off: --repair turns every lost seq into a marker, in one run`, async () => {
    const t = await bigTown();
    truncateSync(join(t.journalDir, segments(t.journalDir)[0]!), 0);
    expectOneLine(await runCli(['bead', 'list'], { cwd: t.root }), /acknowledged records were removed|records 1\.\.140000 are missing/);
    const repaired = await doctor(t.root, '--repair');
    expect(repaired.code).toBe(0);
    expect(repaired.report.repaired!.join('\n')).toMatch(/seqs 1\.\.140000 are now quarantine markers/);
    expect((await runCli(['bead', 'create', 'after'], { cwd: t.root })).code).toBe(0);
    expect(readHeadSeq(t.journalDir)).toBe(n + 1);
  });
});

describe('clear errors', { timeout: 180_000 }, () => {
  it('LOCK replaced by a directory: one line, and doctor reports it', async () => {
    const t = await town(3);
    rmSync(join(t.journalDir, 'LOCK'));
    mkdirSync(join(t.journalDir, 'LOCK'));
    expectOneLine(await runCli(['bead', 'create', 'x'], { cwd: t.root }), /LOCK is a directory, not a regular file/);
    const report = await doctor(t.root);
    expect(report.code).toBe(1);
    expect(report.report.problems.join('\n')).toMatch(/LOCK is a directory, not the lock file/);
  });

  it('a projection file replaced by a directory: writes go on, doctor errs, --repair says in one line what is in the way (not a full disk), then recovers', async () => {
    const t = await town(3);
    const inTheWay = join(t.citadel, 'beads', 'ct-1.json');
    rmSync(inTheWay);
    mkdirSync(inTheWay);
    expect((await runCli(['bead', 'update', 'ct-1', '--title', 'renamed'], { cwd: t.root })).code).toBe(0);
    expect((await doctor(t.root)).code).toBe(1);
    const repair = await runCli(['doctor', '--repair'], { cwd: t.root });
    expectOneLine(repair, /could not write projection files .*EISDIR.*the journal is intact: move away what is in the way at the path named/);
    expect(repair.stderr).not.toMatch(/free space/);
    rmSync(inTheWay, { recursive: true });
    expect((await runCli(['doctor', '--repair'], { cwd: t.root })).code).toBe(0);
    expect(JSON.parse(readFileSync(inTheWay, 'utf8')) as { title: string }).toMatchObject({ title: 'renamed' });
  });

  it('a bad .citadel/config.json is a doctor error', async () => {
    const t = await town(1);
    writeFileSync(join(t.citadel, 'config.json'), '{ not json');
    const report = await doctor(t.root);
    expect(report.code).toBe(1);
    expect(report.report.problems[0]).toContain('config.json');
  });

  const canMount = ((): boolean => {
    if (process.getuid?.() !== 0) return false;
    const dir = tempDir('citadel-mount-');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir.path], { stdio: 'ignore' });
      execFileSync('umount', [dir.path], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    } finally {
      dir.dispose();
    }
  })();

  it.skipIf(!canMount)('projection writes failing with ENOSPC (a full tmpfs under beads/): commands go on or fail in one line, doctor reports the lag, --repair finishes once space is back', async () => {
    const t = await town(2);
    const beads = join(t.citadel, 'beads');
    const saved = readdirSync(beads).map((f) => [f, readFileSync(join(beads, f))] as const);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', beads]);
    cleanups.push(() => execFileSync('umount', ['-l', beads], { stdio: 'ignore' }));
    for (const [f, data] of saved) writeFileSync(join(beads, f), data);
    try {
      writeFileSync(join(beads, 'filler'), Buffer.alloc(1 << 20));
    } catch {
      // the disk is full now
    }
    for (const title of ['one', 'two']) {
      const result = await runCli(['bead', 'create', title], { cwd: t.root });
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.code, result.stderr).toBe(0);
    }
    const list = await runCli(['bead', 'list', '--json'], { cwd: t.root });
    expect(titles(list.stdout)).toEqual(expectedTitles(2, ['one', 'two']));
    const report = await doctor(t.root);
    expect(report.code).toBe(1);
    expect(report.report.problems.join('\n')).toMatch(/projection files lag the journal by 2 record/);
    const repair = await runCli(['doctor', '--repair'], { cwd: t.root });
    expectOneLine(repair, /could not write projection files .*ENOSPC/);
    rmSync(join(beads, 'filler'));
    expect((await doctor(t.root, '--repair')).code).toBe(0);
    expect(readdirSync(beads).filter((f) => f.endsWith('.json'))).toHaveLength(4);
  });
});

function replaceWithLink(path: string, target: string): void {
  const aside = `${path}.aside`;
  renameSync(path, aside);
  symlinkSync(target, path);
  rmSync(aside, { force: true });
}
