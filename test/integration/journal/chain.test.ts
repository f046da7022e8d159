import { appendFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../../src/journal/doctor.js';
import { compressSegment, decompressSegment } from '../../../src/journal/archive.js';
import { crc32c, crcHex } from '../../../src/journal/crc32c.js';
import { encodeRecords } from '../../../src/journal/frame.js';
import type { Entity, JournalRecord } from '../../../src/journal/index.js';
import { runCli } from '../../helpers/cli.js';
import { makeRepo } from '../../helpers/git.js';
import { open } from './helpers.js';

/**
 * Issue 20, the hash chain, through the real binary: `doctor --verify` catches a record edited
 * with its CRC recomputed, removed, swapped, renumbered or spliced in from another town and
 * names it (segment:line and seq) in one line with a non-zero exit; a torn tail, issue 13's
 * damage and `--repair` keep their behaviour, and the chain goes on validly after a repair.
 */
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function bead(id: string, title: string): Entity {
  const at = '2026-01-01T00:00:00.000Z';
  return { id, type: 'task', title, body: '', status: 'open', priority: 2, labels: [], assignee: null, needs: [], parent: null, created_by: 'test', created_at: at, updated_at: at, closed_at: null, close_reason: null };
}

interface Town {
  root: string;
  citadel: string;
  journalDir: string;
}

async function town(beads: number, options: { segmentBytes?: number; checkpointEvery?: number; batch?: number } = {}): Promise<Town> {
  const repo = makeRepo();
  cleanups.push(repo.dispose);
  expect((await runCli(['init'], { cwd: repo.path })).code).toBe(0);
  const citadel = join(repo.path, '.citadel');
  const journalDir = join(citadel, 'journal');
  const journal = open(journalDir, { projections: citadel, segmentBytes: options.segmentBytes ?? 1 << 20, checkpointEvery: options.checkpointEvery ?? 1000, fsync: false });
  const batch = options.batch ?? 1;
  for (let i = 0; i < beads; i += batch) {
    const changes = Array.from({ length: Math.min(batch, beads - i) }, (_, j) => ({ kind: 'beads', id: `ct-${i + j}`, entity: bead(`ct-${i + j}`, `bead ${i + j}`), action: 'create' }));
    await journal.mutate(() => ({ changes, value: 0 }));
  }
  journal.close();
  return { root: repo.path, citadel, journalDir };
}

const segments = (dir: string): string[] => readdirSync(dir).filter((f) => /^seg-\d+\.jsonl$/.test(f)).sort();

/** The lines of a segment file (a compressed archive's read back). */
function lines(file: string): string[] {
  return (file.endsWith('.cz') ? decompressSegment(readFileSync(file), file).bytes.toString('utf8') : readFileSync(file, 'utf8')).split('\n');
}

/** Writes a segment file's text (a compressed archive compressed again, as someone editing it would). */
const writeText = (file: string, text: string): void => writeFileSync(file, file.endsWith('.cz') ? compressSegment(Buffer.from(text)) : text);

/** The line index (0-based) of seq `seq` in a segment's lines. */
const indexOf = (all: string[], seq: number): number => all.findIndex((l) => l.includes(`"rec":{"v":1,"seq":${seq},`));

/** A frame line for BODY with its CRC32C recomputed: what someone editing the journal by hand would write. */
function frame(body: string): string {
  return `{"crc32c":"${crcHex(crc32c(Buffer.from(body)))}","rec":${body}}`;
}
const bodyOf = (line: string): string => line.slice(line.indexOf('"rec":') + 6, -1);

/** Rewrites the record of `seq` in `file` through `edit` (on its parsed body), CRC recomputed. */
function editRecord(file: string, seq: number, edit: (record: Record<string, unknown>) => void): number {
  const all = lines(file);
  const i = indexOf(all, seq);
  expect(i, `seq ${seq} in ${file}`).toBeGreaterThan(0);
  const record = JSON.parse(bodyOf(all[i]!)) as Record<string, unknown>;
  edit(record);
  all[i] = frame(JSON.stringify(record));
  writeText(file, all.join('\n'));
  return i + 1; // 1-based line number
}

async function verify(cwd: string): Promise<{ code: number; report: DoctorReport; stdout: string }> {
  const json = await runCli(['doctor', '--verify', '--json'], { cwd });
  expect(json.stderr).toBe('');
  const text = await runCli(['doctor', '--verify'], { cwd });
  expect(text.code).toBe(json.code);
  return { code: json.code, report: JSON.parse(json.stdout) as DoctorReport, stdout: text.stdout };
}

describe('doctor --verify: the hash chain', { timeout: 180_000 }, () => {
  it('a healthy town verifies from seq 1, its head matching HEAD.json and the snapshot; every record carries prev', async () => {
    const t = await town(30, { checkpointEvery: 10, batch: 3 });
    const { code, report, stdout } = await verify(t.root);
    expect(code, stdout).toBe(0);
    expect(report.chain).toMatchObject({ ok: true, from: 1, to: 30, records: 30, repaired: [] });
    expect(report.chain!.anchors).toContain('HEAD.json');
    expect(report.chain!.anchors.some((a) => a.startsWith('snapshot-'))).toBe(true);
    expect(JSON.parse(readFileSync(join(t.journalDir, 'HEAD.json'), 'utf8')).chain).toBe(report.chain!.head);
    expect(stdout).toMatch(/^chain\s+verified seq 1–30, head [0-9a-f]{16}… matches /m);
    for (const line of lines(join(t.journalDir, segments(t.journalDir)[0]!)).filter(Boolean)) expect(JSON.parse(bodyOf(line)).prev).toMatch(/^[0-9a-f]{64}$/);
    // Writes through the binary go on the chain too.
    expect((await runCli(['bead', 'create', 'one more'], { cwd: t.root })).code).toBe(0);
    expect((await verify(t.root)).report.chain).toMatchObject({ ok: true, from: 1, to: 31 });
  });

  const tampers: { name: string; tamper: (t: Town, file: string) => { line: number; seq: number }; expect: RegExp; reads: 'ok' | 'fail' }[] = [
    {
      name: 'a record’s text edited and its CRC recomputed',
      tamper: (_t, file) => ({ line: editRecord(file, 12, (r) => ((r.entity as { title: string }).title = 'forged')), seq: 12 }),
      expect: /was changed after it was written/,
      reads: 'ok',
    },
    {
      name: 'the newest record edited and its CRC recomputed (only HEAD.json vouches for it)',
      tamper: (_t, file) => ({ line: editRecord(file, 20, (r) => ((r.entity as { title: string }).title = 'forged')), seq: 20 }),
      expect: /was changed after it was written .*HEAD\.json/,
      reads: 'ok',
    },
    {
      name: 'a record deleted from the middle',
      tamper: (_t, file) => {
        const all = lines(file);
        const i = indexOf(all, 9);
        all.splice(i - 1, 2);
        writeFileSync(file, all.join('\n'));
        return { line: indexOf(all, 10) + 1, seq: 10 };
      },
      expect: /records missing: .* seq 9 removed/,
      reads: 'fail',
    },
    {
      name: 'two records swapped',
      tamper: (_t, file) => {
        const all = lines(file);
        const [a, b] = [indexOf(all, 7), indexOf(all, 8)];
        [all[a], all[b]] = [all[b]!, all[a]!];
        writeFileSync(file, all.join('\n'));
        return { line: a + 1, seq: 8 };
      },
      expect: /records missing|out of order/,
      reads: 'fail',
    },
    {
      name: 'a record deleted and the later ones renumbered, every CRC recomputed',
      tamper: (_t, file) => {
        const all = lines(file);
        const i = indexOf(all, 9);
        const line = i + 1;
        all.splice(i - 1, 2);
        for (let seq = 10; seq <= 20; seq++) {
          const j = indexOf(all, seq);
          const record = JSON.parse(bodyOf(all[j]!)) as { seq: number };
          record.seq = seq - 1;
          all[j] = frame(JSON.stringify(record));
        }
        writeFileSync(file, all.join('\n'));
        return { line, seq: 9 };
      },
      expect: /does not continue the chain from seq 8/,
      reads: 'fail', // HEAD.json still says 20: the journal ends below it (issue 13)
    },
  ];
  for (const { name, tamper, expect: reason, reads } of tampers) {
    it(`${name}: doctor --verify names the record (segment:line, seq) in one line and exits 1`, async () => {
      const t = await town(20);
      const file = join(t.journalDir, segments(t.journalDir)[0]!);
      const at = tamper(t, file);
      const { code, report, stdout } = await verify(t.root);
      expect(code, stdout).toBe(1);
      expect(report.chain).toMatchObject({ ok: false, at: { segment: segments(t.journalDir)[0], line: at.line, seq: at.seq } });
      expect(report.chain!.problem).toMatch(reason);
      expect(report.chain!.problem).toContain(`${segments(t.journalDir)[0]}:${at.line} (seq ${at.seq})`);
      expect(report.problems[0]).toBe(report.chain!.problem);
      expect(report.chain!.problem!.split('\n')).toHaveLength(1);
      expect(stdout).toMatch(new RegExp(`^chain\\s+BROKEN at ${segments(t.journalDir)[0]!.replace('.', '\\.')}:${at.line} \\(seq ${at.seq}\\)$`, 'm'));
      // Plain doctor (no --verify) has no chain: a CRC-valid edit passes it (the chain is what
      // catches it); a removal or a swap is issue 13's damage and it reports that too.
      const plain = await runCli(['doctor', '--json'], { cwd: t.root });
      const plainReport = JSON.parse(plain.stdout) as DoctorReport;
      expect(plainReport.chain).toBeUndefined();
      if (reads === 'ok') expect(plainReport.corrupt).toEqual([]); // (it may note the projection file that now differs)
      else expect(plain.code, plainReport.problems.join('\n')).toBe(1);
      // And normal commands keep failing closed (issue 13) though the query index already holds
      // every record: a segment rewritten behind its back is read from the journal, not the cache.
      if (reads === 'fail') {
        const list = await runCli(['bead', 'list', '--json'], { cwd: t.root });
        expect(list.code, list.stdout).not.toBe(0);
        expect(list.stderr.trim().split('\n')).toHaveLength(1);
        expect(list.stderr).toMatch(/citadel doctor/);
      }
    });
  }

  it('concurrent writers (six CLI processes and a long-lived handle, batches, rolls, checkpoints) leave one valid chain', async () => {
    const t = await town(5);
    const handle = open(t.journalDir, { projections: t.citadel, segmentBytes: 3000, checkpointEvery: 15, fsync: false });
    try {
      const cli = Array.from({ length: 6 }, async (_, p) => {
        for (let i = 0; i < 4; i++) expect((await runCli(['bead', 'create', `p${p} ${i}`], { cwd: t.root })).code).toBe(0);
      });
      const mine = (async () => {
        for (let i = 0; i < 30; i++) {
          const changes = Array.from({ length: 1 + (i % 3) }, (_, j) => ({ kind: 'beads', id: `h-${i}-${j}`, entity: bead(`h-${i}-${j}`, `h ${i} ${j}`), action: 'create' }));
          await handle.mutate(() => ({ changes, value: 0 }));
        }
      })();
      await Promise.all([...cli, mine]);
    } finally {
      handle.close();
    }
    const { code, report, stdout } = await verify(t.root);
    expect(code, stdout).toBe(0);
    expect(report.chain).toMatchObject({ ok: true, from: 1, to: 5 + 24 + 60 });
  });

  it('a record spliced in from another town (same seq, valid CRC) is named', async () => {
    const a = await town(15);
    const b = await town(15);
    const fileA = join(a.journalDir, segments(a.journalDir)[0]!);
    const fileB = join(b.journalDir, segments(b.journalDir)[0]!);
    const linesA = lines(fileA);
    const linesB = lines(fileB);
    const i = indexOf(linesA, 6);
    // Another town's record 6 (its own, different chain: the two towns' records differ in ts and pid).
    const foreign = JSON.parse(bodyOf(linesB[indexOf(linesB, 6)]!)) as { entity: { title: string } };
    foreign.entity.title = 'from elsewhere';
    linesA[i] = frame(JSON.stringify(foreign));
    writeFileSync(fileA, linesA.join('\n'));
    const { code, report } = await verify(a.root);
    expect(code).toBe(1);
    expect(report.chain).toMatchObject({ ok: false, at: { line: i + 1, seq: 6 } });
  });

  it('a torn tail behaves as before: doctor reports it, the next write sets it aside, and the chain verifies', async () => {
    const t = await town(10);
    const file = join(t.journalDir, segments(t.journalDir)[0]!);
    appendFileSync(file, '\n{"crc32c":"0000');
    const before = await verify(t.root);
    expect(before.code).toBe(1); // the torn tail is a problem, as before
    expect(before.report.chain).toMatchObject({ ok: true, to: 10 });
    expect(before.report.problems.join('\n')).toMatch(/torn tail/);
    expect((await runCli(['bead', 'create', 'after the crash'], { cwd: t.root })).code).toBe(0);
    const after = await verify(t.root);
    expect(after.report.chain).toMatchObject({ ok: true, from: 1, to: 11 });
    expect(after.report.problems.filter((p) => !/set aside/.test(p))).toEqual([]);
  });

  it('an existing town upgrades in place: old records keep no prev, the chain starts at the first new record and --verify says so', async () => {
    const repo = makeRepo();
    cleanups.push(repo.dispose);
    expect((await runCli(['init'], { cwd: repo.path })).code).toBe(0);
    const journalDir = join(repo.path, '.citadel', 'journal');
    // A journal as citadel wrote it before the chain: records without prev, no chain in HEAD.json.
    const records: JournalRecord[] = Array.from({ length: 5 }, (_, i) => ({ v: 1, seq: i + 1, ts: '2026-01-01T00:00:00.000Z', writer: 'old', pid: 1, action: 'create', kind: 'beads', id: `ct-${i}`, entity: bead(`ct-${i}`, `old ${i}`) }));
    rmSync(join(journalDir, 'HEAD.json'), { force: true });
    writeFileSync(join(journalDir, 'seg-000000000001.jsonl'), encodeRecords(records).buffer);
    expect((await runCli(['bead', 'list', '--json'], { cwd: repo.path })).code).toBe(0);
    const legacy = await verify(repo.path);
    expect(legacy.report.chain).toMatchObject({ ok: true, from: null, to: 5 });
    expect(legacy.stdout).toMatch(/^chain\s+no hash chain yet \(seq 1–5 predate it/m);
    expect((await runCli(['bead', 'create', 'new'], { cwd: repo.path })).code).toBe(0);
    expect((await runCli(['bead', 'create', 'newer'], { cwd: repo.path })).code).toBe(0);
    const upgraded = await verify(repo.path);
    expect(upgraded.code, upgraded.stdout).toBe(0);
    expect(upgraded.report.chain).toMatchObject({ ok: true, from: 6, to: 7 });
    expect(upgraded.stdout).toMatch(/verified seq 6–7 \(seq 1–5 predate the chain\)/);
    // The first new record commits to the last old one: editing it breaks the chain.
    editRecord(join(journalDir, 'seg-000000000001.jsonl'), 5, (r) => ((r.entity as { title: string }).title = 'forged'));
    expect((await verify(repo.path)).report.chain).toMatchObject({ ok: false, at: { seq: 5 } });
  });

  it('archived segments and a snapshot covering removed ones: verify starts at the snapshot’s chain value', async () => {
    const t = await town(60, { segmentBytes: 1500, checkpointEvery: 20 });
    const archive = join(t.journalDir, 'archive');
    const archived = readdirSync(archive).sort();
    expect(archived.length).toBeGreaterThan(2);
    expect(archived.every((name) => name.endsWith('.jsonl.cz'))).toBe(true);
    const whole = await verify(t.root);
    expect(whole.report.chain).toMatchObject({ ok: true, from: 1, to: 60 });
    // Archived segments are compressed (issue 18): an edit of one (read back, edited, compressed
    // again) is named with its archive/ path (then put back: one snapshot
    // is kept since issue 18, and it covers every archived segment, removed below).
    const oldest = archived[0]!;
    const first = Number(/\d+/.exec(oldest)![0]);
    const original = readFileSync(join(archive, oldest));
    const line = editRecord(join(archive, oldest), first + 1, (r) => ((r.entity as { title: string }).title = 'forged'));
    const edited = await verify(t.root);
    expect(edited.report.chain).toMatchObject({ ok: false, at: { segment: `archive/${oldest}`, line, seq: first + 1 } });
    writeFileSync(join(archive, oldest), original);
    // The oldest segments gone under a covering snapshot: the chain is verified from there.
    const snapshot = readdirSync(t.journalDir).filter((f) => f.startsWith('snapshot-')).sort()[0]!;
    const snapSeq = Number(/\d+/.exec(snapshot)![0]);
    for (const name of archived) if (Number(/\d+/.exec(name)![0]) <= snapSeq) rmSync(join(archive, name));
    const left = [...readdirSync(archive), ...segments(t.journalDir)].map((n) => Number(/\d+/.exec(n)![0])).sort((x, y) => x - y)[0]!;
    if (left === snapSeq + 1) {
      const cut = await verify(t.root);
      expect(cut.report.chain).toMatchObject({ ok: true, from: left, to: 60 });
      expect(cut.report.chain!.anchors).toContain(snapshot);
    }
  });

  it('doctor --repair of a corrupt record: the gap is recorded in the chain (not hidden), the chain goes on and verifies', async () => {
    const t = await town(20, { batch: 1 });
    const file = join(t.journalDir, segments(t.journalDir)[0]!);
    // A flipped byte (CRC no longer matches): issue 13's damage; reads fail closed.
    const all = lines(file);
    const i = indexOf(all, 11);
    all[i] = all[i]!.replace('bead 10', 'bead 1X');
    writeFileSync(file, all.join('\n'));
    expect(JSON.parse((await runCli(['doctor', '--json'], { cwd: t.root })).stdout).problems.join('\n')).toMatch(/CRC32C mismatch/);
    const broken = await verify(t.root);
    expect(broken.report.chain).toMatchObject({ ok: false, at: { line: i + 1, seq: 11 } });
    expect(broken.report.chain!.problem).toMatch(/CRC32C mismatch/);
    const repair = await runCli(['doctor', '--repair'], { cwd: t.root });
    expect(repair.code, repair.stdout).toBe(0);
    const repaired = await verify(t.root);
    expect(repaired.code, repaired.stdout).toBe(0);
    expect(repaired.report.chain).toMatchObject({ ok: true, from: 1 });
    expect(repaired.report.chain!.repaired).toContain(11);
    expect(repaired.stdout).toMatch(/stand in for lost ones \(doctor --repair: seq 11/);
    // The marker carries the lost record's chain value; the chain continues through new writes.
    const marker = JSON.parse(bodyOf(lines(file).find((l) => l.includes('"seq":11,'))!)) as JournalRecord;
    expect(marker).toMatchObject({ kind: '_journal', replaces: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect((await runCli(['bead', 'create', 'after repair'], { cwd: t.root })).code).toBe(0);
    const later = await verify(t.root);
    expect(later.code, later.stdout).toBe(0);
    expect(later.report.chain!.to).toBeGreaterThan(20);
    // A portable CV across the repaired gap: the marker travels whole, and the file verifies.
    const cvFile = join(t.root, 'test.cv.json');
    expect((await runCli(['cv', 'test', '--export', cvFile], { cwd: t.root })).code).toBe(0);
    expect((JSON.parse(readFileSync(cvFile, 'utf8')) as { repaired: string[] }).repaired).toHaveLength(1);
    const checked = await runCli(['cv', '--verify', cvFile], { cwd: t.root });
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toMatch(/the path passes 1 record\(s\) doctor --repair wrote for lost ones \(seq 11\)/);
  });
});
