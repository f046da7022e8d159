import { spawn } from 'node:child_process';
import { cpSync, existsSync, lstatSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BLOCK_BYTES, compressArchived, compressSegment, CONVERT_PER_CHECKPOINT, decompressSegment, HEADER_BYTES, SIGNATURE } from '../../../src/journal/archive.js';
import { inspectJournal } from '../../../src/journal/doctor.js';
import type { JournalRecord } from '../../../src/journal/index.js';
import { repairJournal } from '../../../src/journal/repair.js';
import { allSegments, readSegment } from '../../../src/journal/segments.js';
import { tempDir } from '../../helpers/temp.js';
import { dump, open, put } from './helpers.js';

/**
 * Compressed archived segments and snapshots (issue 18, disk; docs/journal.md, "Disk"): archives
 * are compressed at checkpoints and read exactly as the plain ones, an older town's
 * plain archives read the same and are converted, a crash at any step of a conversion leaves a
 * journal that reads every record once, a flipped bit costs one block and is named with its
 * seqs, `--repair` recovers it, and a link planted as a compressed archive is refused.
 */
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const WORDS = 'the parser drops a token when a comment ends a line so the journal replays a torn tail and the board shows a stale frame'.split(' ');
const text = (m: number, j: number): string => Array.from({ length: 220 }, (_, k) => WORDS[(m * 7 + j * 13 + k * k) % WORDS.length]).join(' ');

/** A journal of 1,200 records of ~1.6 KB in ~600 KB segments (three blocks each; older towns: 150 KB), all but the newest archived under a snapshot. */
async function build(root: string, compressArchives: boolean, segmentBytes = 600_000): Promise<string> {
  const dir = join(root, 'journal');
  const journal = open(dir, { segmentBytes, checkpointEvery: 400, fsync: false, compressArchives });
  for (let m = 0; m < 120; m++) {
    const changes = Array.from({ length: 10 }, (_, j) => put('beads', `b${(m * 10 + j) % 700}`, { m, j, body: text(m, j) }));
    await journal.mutate(() => ({ changes, value: 0 }));
  }
  await journal.checkpoint();
  journal.close();
  return dir;
}

const archiveOf = (dir: string): string[] => readdirSync(join(dir, 'archive')).sort();
const shape = (records: Iterable<JournalRecord>): string[] => [...records].map((r) => `${r.seq} ${r.kind} ${r.id} ${JSON.stringify(r.entity ?? null)}`);

function history(dir: string): string[] {
  const journal = open(dir, { queryIndex: false });
  try {
    return shape(journal.records());
  } finally {
    journal.close();
  }
}

function state(dir: string): ReturnType<typeof dump> {
  const journal = open(dir);
  try {
    return dump(journal, ['beads']);
  } finally {
    journal.close();
  }
}

/** An older town (plain archives), and the bytes of each archived segment. */
async function oldTown(): Promise<{ root: string; dir: string; plain: Map<string, Buffer> }> {
  const root = tempDir('citadel-archive-');
  cleanups.push(root.dispose);
  const dir = await build(root.path, false, 150_000);
  const names = archiveOf(dir);
  expect(names.length).toBeGreaterThan(CONVERT_PER_CHECKPOINT + 2);
  expect(names.every((n) => /^seg-\d{12}\.jsonl$/.test(n))).toBe(true);
  return { root: root.path, dir, plain: new Map(names.map((n) => [n, readFileSync(join(dir, 'archive', n))])) };
}

describe('compressed archived segments', { timeout: 120_000 }, () => {
  it('are written at checkpoints (0600, blocks of whole lines), read back byte for byte, and verify', async () => {
    const root = tempDir('citadel-archive-');
    cleanups.push(root.dispose);
    const dir = await build(root.path, true);
    const names = archiveOf(dir);
    expect(names.length).toBeGreaterThanOrEqual(2);
    expect(names.every((n) => /^seg-\d{12}\.jsonl\.cz$/.test(n))).toBe(true);
    for (const name of names) {
      const path = join(dir, 'archive', name);
      const file = readFileSync(path);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const plain = readSegment(allSegments(dir).find((s) => `${s.name}.cz` === name)!, 0);
      expect(plain.length).toBeGreaterThan(2 * BLOCK_BYTES); // several blocks
      expect(file.length).toBeLessThan(plain.length / 8);
      // Members one after another, each starting with the signature: as many as blocks of whole lines.
      let members = 0;
      for (let at = file.indexOf(SIGNATURE); at !== -1; at = file.indexOf(SIGNATURE, at + 1)) members++;
      const blocks = Math.ceil(plain.length / BLOCK_BYTES);
      expect(members === blocks || members === blocks - 1).toBe(true);
      const seqs = [...plain.toString('latin1').matchAll(/"rec":\{"v":1,"seq":(\d+),/g)].map((m) => Number(m[1]));
      expect(seqs[0]).toBe(Number(/\d+/.exec(name)![0]));
      expect(seqs.every((seq, i) => i === 0 || seq === seqs[i - 1]! + 1)).toBe(true);
    }
    const report = inspectJournal(dir, { verify: true });
    expect(report.problems).toEqual([]);
    expect(report.chain).toMatchObject({ ok: true, from: 1, to: 1200 });
    expect(report.segments.filter((s) => s.compressed).length).toBe(names.length);
    const records = history(dir);
    expect(records.length).toBe(1200);
    expect(records.map((r) => Number(r.split(' ')[0]))).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1));
  });

  it('an older town with plain archives reads the same; checkpoints convert a few at a time, doctor --repair the rest, byte for byte', async () => {
    const { dir, plain } = await oldTown();
    const before = history(dir);
    const entities = state(dir);
    // A checkpoint of the current code (after one more mutation) converts CONVERT_PER_CHECKPOINT of them.
    const journal = open(dir, { checkpointEvery: 1, fsync: false });
    await journal.mutate(() => ({ changes: [put('beads', 'b0', { m: -1 })], value: 0 }));
    journal.close();
    expect(archiveOf(dir).filter((n) => !n.endsWith('.cz')).length).toBe(plain.size - CONVERT_PER_CHECKPOINT);
    before.push(...history(dir).slice(1200));
    entities.beads!.b0 = { id: 'b0', m: -1 };
    expect(history(dir)).toEqual(before);
    expect(inspectJournal(dir).problems).toEqual([]);
    const actions = await repairJournal(dir, { writer: 'test' });
    expect(actions.join('\n')).toMatch(new RegExp(`compressed ${plain.size - CONVERT_PER_CHECKPOINT} archived segment`));
    expect(archiveOf(dir).every((n) => n.endsWith('.jsonl.cz'))).toBe(true);
    for (const [name, bytes] of plain) expect(decompressSegment(readFileSync(join(dir, 'archive', `${name}.cz`)), name).bytes.equals(bytes)).toBe(true);
    expect(history(dir)).toEqual(before);
    expect(state(dir)).toEqual(entities);
    expect(inspectJournal(dir, { verify: true }).chain).toMatchObject({ ok: true, to: 1201 });
  });

  it('a crash at every step of compressing an archive leaves every record readable exactly once, and the next pass finishes', async () => {
    const { root, dir, plain } = await oldTown();
    const reference = history(dir);
    const entities = state(dir);
    const [name, bytes] = [...plain][0]!;
    const compressed = compressSegment(bytes);
    const archive = join(dir, 'archive');
    const pristine = join(root, 'pristine');
    cpSync(dir, pristine, { recursive: true });
    const steps: { name: string; make: () => void }[] = [
      { name: 'the temp file begun (partial)', make: () => writeFileSync(join(archive, `${name}.cz.12345.tmp`), compressed.subarray(0, compressed.length >> 1), { mode: 0o600 }) },
      { name: 'the temp file written, not renamed', make: () => writeFileSync(join(archive, `${name}.cz.12345.tmp`), compressed, { mode: 0o600 }) },
      { name: 'renamed into place, the plain file not yet removed', make: () => writeFileSync(join(archive, `${name}.cz`), compressed, { mode: 0o600 }) },
      {
        name: 'the plain file removed',
        make: () => {
          writeFileSync(join(archive, `${name}.cz`), compressed, { mode: 0o600 });
          unlinkSync(join(archive, name));
        },
      },
      // Not a crash (the rename is atomic) but damage beside a plain file: the plain file serves, the copy is kept aside.
      { name: 'both present, the compressed one cut short', make: () => writeFileSync(join(archive, `${name}.cz`), compressed.subarray(0, 1000), { mode: 0o600 }) },
    ];
    for (const step of steps) {
      cpSync(pristine, dir, { recursive: true, force: true });
      for (const f of readdirSync(archive)) if (!plain.has(f)) unlinkSync(join(archive, f));
      step.make();
      expect(history(dir), step.name).toEqual(reference);
      expect(state(dir), step.name).toEqual(entities);
      const report = inspectJournal(dir, { verify: true });
      expect(report.problems, step.name).toEqual([]);
      expect(report.events, step.name).toBe(1200);
      compressArchived(dir, true, [], Infinity);
      expect(archiveOf(dir), step.name).toEqual([...plain.keys()].map((n) => `${n}.cz`));
      expect(history(dir), step.name).toEqual(reference);
    }
    expect(readdirSync(join(dir, 'quarantine')).some((f) => f.startsWith(`${name}.cz.`))).toBe(true);
  });

  it('kill -9 during the conversion, at random moments: every round reads every record once and verifies; the last pass completes', async () => {
    const { root, dir, plain } = await oldTown();
    const reference = history(dir);
    const pristine = join(root, 'pristine');
    cpSync(dir, pristine, { recursive: true });
    const script = fileURLToPath(new URL('./fixtures/compress.mjs', import.meta.url));
    const states = new Set<string>();
    for (let round = 0; round < 12; round++) {
      cpSync(pristine, dir, { recursive: true, force: true });
      for (const f of readdirSync(join(dir, 'archive'))) if (!plain.has(f)) unlinkSync(join(dir, 'archive', f));
      const child = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, (round * 7) % 60));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.on('close', resolve));
      states.add(archiveOf(dir).map((f) => f.replace(/\d+\.tmp$/, 'tmp')).join(','));
      expect(history(dir), `round ${round}`).toEqual(reference);
      expect(inspectJournal(dir, { verify: true }).problems, `round ${round}`).toEqual([]);
      compressArchived(dir, true, [], Infinity);
      expect(archiveOf(dir).every((f) => f.endsWith('.jsonl.cz')), `round ${round}`).toBe(true);
      expect(history(dir), `round ${round}`).toEqual(reference);
    }
    expect(states.size).toBeGreaterThan(1); // the kills landed at different steps
  });

  it('a flipped bit inside a compressed archive loses one block: doctor names its seqs, reads through the snapshot go on, --repair recovers it', async () => {
    const root = tempDir('citadel-archive-');
    cleanups.push(root.dispose);
    const dir = await build(root.path, true);
    const entities = state(dir);
    const segment = allSegments(dir).find((s) => s.compressed)!;
    const plain = readSegment(segment, 0);
    const file = readFileSync(segment.path);
    // The second member: found by its signature.
    const sig = SIGNATURE;
    const second = file.indexOf(sig, file.indexOf(sig) + 1);
    const third = file.indexOf(sig, second + 1);
    expect(second).toBeGreaterThan(0);
    expect(third).toBeGreaterThan(second);
    // The seqs block 2 holds, from the plain bytes: its lines are the second ~256 KiB of whole lines.
    const decoded = decompressSegment(file, 'x').bytes;
    expect(decoded.equals(plain)).toBe(true);
    const cut1 = plain.indexOf(10, BLOCK_BYTES - 1) + 1;
    const cut2 = plain.indexOf(10, cut1 + BLOCK_BYTES - 1) + 1;
    const seqsIn = (from: number, to: number): number[] => [...plain.subarray(from, to).toString('latin1').matchAll(/"rec":\{"v":1,"seq":(\d+),/g)].map((m) => Number(m[1]));
    const lost = seqsIn(cut1, cut2);
    for (const [where, at] of [
      ['its compressed data', second + HEADER_BYTES + Math.floor((third - second - HEADER_BYTES) / 2)],
      ['its header', second + 30],
    ] as const) {
      const damaged = Buffer.from(file);
      damaged[at] = damaged[at]! ^ 0x10;
      writeFileSync(segment.path, damaged);
      const report = inspectJournal(dir);
      expect(report.corrupt, where).toHaveLength(1);
      expect(report.corrupt[0]!.reason, where).toMatch(new RegExp(`compressed block 2 of \\d+ of archive/${segment.name}\\.cz is damaged.*\\(seqs ${lost[0]}\\.\\.${lost.at(-1)} lost\\)`));
      expect(report.corrupt[0]!.offset, where).toBe(cut1 + 1);
      // The blocks after it read as before (offsets kept): one block lost, not the file.
      const after = readSegment(segment, 0);
      expect(after.length).toBe(plain.length);
      expect(after.subarray(cut2).equals(plain.subarray(cut2))).toBe(true);
      // History fails closed naming the file and the first lost seq; the state is served by the snapshot/index.
      expect(() => history(dir)).toThrow(new RegExp(`${segment.name}\\.cz at byte ${cut1 + 1} \\(seq ${lost[0]}\\)`));
      expect(state(dir)).toEqual(entities);
    }
    const actions = await repairJournal(dir, { writer: 'test' });
    expect(actions.join('\n')).toMatch(new RegExp(`rewrote archive/${segment.name}\\.cz \\(original kept as quarantine/${segment.name}\\.cz\\.`));
    const after = inspectJournal(dir, { verify: true });
    expect(after.problems).toEqual([]);
    expect(after.chain!.ok).toBe(true);
    expect(state(dir)).toEqual(entities);
    expect(existsSync(segment.path)).toBe(true);
    expect(existsSync(join(dir, 'archive', segment.name))).toBe(false);
    const seqs = history(dir).map((r) => Number(r.split(' ')[0]));
    // Lost seqs that the snapshot's state did not need are markers (not in records()), the rest recovered records.
    expect(seqs.filter((s) => !lost.includes(s))).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1).filter((s) => !lost.includes(s)));
  });

  it('a compressed archive cut short names the lost blocks and seqs', async () => {
    const root = tempDir('citadel-archive-');
    cleanups.push(root.dispose);
    const dir = await build(root.path, true);
    const segment = allSegments(dir).find((s) => s.compressed)!;
    const plain = readSegment(segment, 0);
    const file = readFileSync(segment.path);
    writeFileSync(segment.path, file.subarray(0, file.length - 500));
    const report = inspectJournal(dir);
    expect(report.corrupt).toHaveLength(1);
    expect(report.corrupt[0]!.reason).toMatch(/compressed block (\d+) of \1 of archive\/seg-\d+\.jsonl\.cz is cut short \(the file ends inside it\), holding seqs (\d+)\.\.(\d+) \(seqs \2\.\.\3 lost\)/);
    expect(readSegment(segment, 0).length).toBe(plain.length);
    // Nothing readable left at all: the file is still named, with its first seq.
    writeFileSync(segment.path, Buffer.alloc(5000, 0x55));
    const garbage = inspectJournal(dir);
    expect(garbage.corrupt[0]!.reason).toMatch(new RegExp(`the compressed blocks of archive/${segment.name}\\.cz from its byte 0 are damaged \\(no member header left to read\\) \\(seqs ${segment.firstSeq}\\.\\.\\d+ lost\\)`));
  });

  it('a symbolic link planted as a compressed archive is refused in one line, its target untouched; the conversion never writes through one', async () => {
    const root = tempDir('citadel-archive-');
    cleanups.push(root.dispose);
    const dir = await build(root.path, true);
    const segment = allSegments(dir).find((s) => s.compressed)!;
    const target = join(root.path, 'elsewhere.cz');
    renameSync(segment.path, target);
    const before = readFileSync(target);
    symlinkSync(target, segment.path);
    expect(() => history(dir)).toThrow(/is a symbolic link: citadel never follows links inside \.citadel\//);
    expect(inspectJournal(dir).problems.join('\n')).toMatch(/is a symbolic link/);
    expect(readFileSync(target).equals(before)).toBe(true);
    // A plain archive with a link at its compressed name: left alone (the link is neither followed nor replaced).
    unlinkSync(segment.path);
    writeFileSync(join(dir, 'archive', segment.name), decompressSegment(before, 'x').bytes, { mode: 0o600 });
    symlinkSync(target, segment.path);
    compressArchived(dir, true, [], Infinity);
    expect(lstatSync(segment.path).isSymbolicLink()).toBe(true);
    expect(readFileSync(target).equals(before)).toBe(true);
    expect(existsSync(join(dir, 'archive', segment.name))).toBe(true);
  });
});

describe('compressed snapshots', () => {
  it('are stored compressed with the plain body’s CRCs; an older plain snapshot loads the same; a flipped bit is skipped', async () => {
    const root = tempDir('citadel-archive-');
    cleanups.push(root.dispose);
    const dir = await build(root.path, true);
    const entities = state(dir);
    const name = readdirSync(dir).find((f) => f.startsWith('snapshot-'))!;
    const file = readFileSync(join(dir, name));
    const nl = file.indexOf(10);
    const header = JSON.parse(file.toString('utf8', 0, nl)) as { bytes: number; z?: string; zbytes?: number };
    expect(header.z).toBe('br');
    expect(header.zbytes).toBe(file.length - nl - 1);
    expect(header.zbytes!).toBeLessThan(header.bytes / 3);
    const memory = (): ReturnType<typeof dump> => {
      const journal = open(dir, { queryIndex: false });
      try {
        return dump(journal, ['beads']);
      } finally {
        journal.close();
      }
    };
    expect(memory()).toEqual(entities);
    // As an older citadel wrote it: the body plain, no z/zbytes.
    const { z: _z, zbytes: _zb, ...plainHeader } = header;
    const zlib = await import('node:zlib');
    writeFileSync(join(dir, name), Buffer.concat([Buffer.from(`${JSON.stringify(plainHeader)}\n`), zlib.brotliDecompressSync(file.subarray(nl + 1))]));
    expect(inspectJournal(dir).snapshots).toEqual([expect.objectContaining({ name, ok: true })]);
    expect(memory()).toEqual(entities);
    // A flipped bit in the compressed body: the snapshot fails its checks and is skipped (the segments replay).
    const flipped = Buffer.from(file);
    const mid = nl + 1 + (header.zbytes! >> 1);
    flipped[mid] = flipped[mid]! ^ 0x04;
    writeFileSync(join(dir, name), flipped);
    expect(inspectJournal(dir).snapshots).toEqual([expect.objectContaining({ name, ok: false })]);
    expect(memory()).toEqual(entities);
  });
});
