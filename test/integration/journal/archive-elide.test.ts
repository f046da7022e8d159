import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { compressSegment, decompressSegment, HEADER_BYTES, SIGNATURE } from '../../../src/journal/archive.js';
import { restoreBlock } from '../../../src/journal/archive-elide.js';
import { chainOfBody } from '../../../src/journal/chain-hash.js';
import { crc32c, crcHex } from '../../../src/journal/crc32c.js';
import { inspectJournal } from '../../../src/journal/doctor.js';
import { BODY_START, checkLine, encodeRecords } from '../../../src/journal/frame.js';
import type { JournalRecord } from '../../../src/journal/index.js';
import { allSegments, readSegment } from '../../../src/journal/segments.js';
import { tempDir } from '../../helpers/temp.js';
import { open, put } from './helpers.js';
import { seededRandom } from '../../unit/model/memory-journal.js';

/**
 * Derivable fields left out of compressed archive blocks (issue 18, disk; src/journal/archive-elide.ts,
 * docs/journal.md "Disk"): each frame's CRC32C and each prev but a block's first are stored empty and
 * restored on read, byte for byte; odd lines and blocks are kept as they are; archives written
 * without elision read the same; damage still costs one block; an edit made inside an elided block
 * (its block CRC fixed up, as an attacker would) still breaks the hash chain, at the block's end.
 */
const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const PIECES = ['parser', 'journal', 'torn tail', 'naïve café', '日本語のテキスト', '🚀🧪', 'e\u0301', 'quote " and \\ backslash', 'line\u2028sep', '"prev":""', '{"crc32c":""}', '\t', 'zero\u0000byte'];

/** The chain value after a frame buffer's last record (from its bytes, as the writer would find it). */
function lastChain(buffer: Buffer): string {
  const lines = buffer.toString('utf8').split('\n').filter(Boolean);
  const body = lines.at(-1)!.slice(BODY_START, -1);
  const record = JSON.parse(body) as JournalRecord;
  return chainOfBody(Buffer.from(body), record);
}

/**
 * A segment as the writer frames it: `unchained` records without prev (a town from before the chain),
 * then mutations of 1..`maxBatch` records carrying prev, with Unicode and records of 100 B to 3 KB,
 * and (with `odd`) now and then a torn fragment, a record with a bad CRC or a lost-block line.
 */
function segment(seed: number, bytes: number, options: { unchained?: number; maxBatch?: number; odd?: boolean } = {}, starts = new Set<number>()): Buffer {
  const random = seededRandom(seed);
  const parts: Buffer[] = [];
  let size = 0;
  let seq = 1;
  let chain: string | undefined;
  const text = (): string => Array.from({ length: 1 + Math.floor(random() * 60) }, () => PIECES[Math.floor(random() * PIECES.length)]).join(' ');
  while (size < bytes) {
    const unchained = seq <= (options.unchained ?? 0);
    const n = unchained ? 1 : 1 + Math.floor(random() * (options.maxBatch ?? 40));
    const records: JournalRecord[] = Array.from({ length: n }, (_, i) => ({
      v: 1,
      seq: seq + i,
      ts: '2026-12-02T16:00:00.000Z',
      writer: 'test',
      pid: 7,
      action: 'put',
      kind: 'beads',
      id: `ct-${seq + i}`,
      entity: { id: `ct-${seq + i}`, title: text(), body: random() < 0.3 ? text().repeat(8) : '' },
      ...(n > 1 ? { batch: n } : {}),
    }));
    starts.add(seq);
    const { buffer, chain: next } = encodeRecords(records, chain);
    parts.push(buffer);
    size += buffer.length;
    seq += n;
    chain = next ?? (seq > (options.unchained ?? 0) ? lastChain(buffer) : undefined);
    if (options.odd && random() < 0.05) {
      const kind = Math.floor(random() * 3);
      const odd =
        kind === 0
          ? '\n{"crc32c":"1234abcd","rec":{"v":1,"seq":9\n' // a torn fragment
          : kind === 1
            ? `\n{"crc32c":"00000000","rec":{"v":1,"seq":${seq},"prev":"${'a'.repeat(64)}","kind":"x"}}\n` // a bad CRC
            : `\n{"lost":"compressed block 3 of 9 of x is damaged"}   \n`; // a lost-block line
      parts.push(Buffer.from(odd));
      size += odd.length;
    }
  }
  return Buffer.concat(parts);
}

interface Member {
  readonly pos: number;
  readonly header: Buffer;
  readonly flags: number;
  readonly plainBytes: number;
  /** The block as stored (elided when flagged), decompressed without restoring. */
  readonly stored: Buffer;
}

/** The members of a compressed archive, read by their header layout (archive.ts). */
function members(file: Buffer): Member[] {
  const out: Member[] = [];
  for (let pos = 0; pos < file.length; ) {
    expect(file.compare(SIGNATURE, 0, SIGNATURE.length, pos, pos + SIGNATURE.length)).toBe(0);
    const header = file.subarray(pos + SIGNATURE.length, pos + HEADER_BYTES);
    const memberBytes = header.readUInt32LE(9);
    out.push({ pos, header, flags: header.readUInt8(49), plainBytes: header.readUInt32LE(21), stored: zlib.brotliDecompressSync(file.subarray(pos + HEADER_BYTES, pos + memberBytes)) });
    pos += memberBytes;
  }
  return out;
}

/** A member rebuilt around `stored` with its header's size, CRC-32 (of `plain`) and flags set, its header CRC fixed. */
function member(old: Member, stored: Buffer, plain: Buffer, flags: number): Buffer {
  const data = zlib.brotliCompressSync(stored);
  const header = Buffer.from(old.header);
  header.writeUInt32LE(HEADER_BYTES + data.length, 9);
  header.writeUInt32LE(plain.length, 21);
  header.writeUInt8(flags, 49);
  header.writeUInt32LE(zlib.crc32(plain), 50);
  header.writeUInt32LE(crc32c(header, 0, 54), 54);
  return Buffer.concat([SIGNATURE, header, data]);
}

/** A block's lines, blank ones left out (records are framed by a newline on each side). */
const recordLines = (block: Buffer): string[] => block.toString('utf8').split('\n').filter(Boolean);

describe('elided archive blocks', { timeout: 120_000 }, () => {
  it('round trip byte for byte: batches, records without prev at a chain’s start, blocks cut mid-batch, Unicode, odd lines', () => {
    for (const [seed, options] of [
      [1, { unchained: 300 }],
      [2, { maxBatch: 400 }],
      [3, { odd: true }],
      [4, { unchained: 50, maxBatch: 3, odd: true }],
    ] as const) {
      const starts = new Set<number>();
      const plain = segment(seed, 1_500_000, options, starts);
      const file = compressSegment(plain);
      const back = decompressSegment(file, 'x');
      expect(back.damage, `seed ${seed}`).toEqual([]);
      expect(back.bytes.equals(plain), `seed ${seed}`).toBe(true);
      const all = members(file);
      expect(all.length).toBeGreaterThan(4);
      let elidedPrevs = 0;
      let midBatch = 0;
      for (const m of all) {
        expect(m.flags, `seed ${seed}: block flagged elided, CRC-32 present`).toBe(3);
        const lines = recordLines(m.stored);
        // Every well-formed record's CRC is left out; odd lines keep theirs.
        for (const line of lines) if (!line.startsWith('{"crc32c":"","rec":')) expect(line).toMatch(/^\{"crc32c":"(00000000|1234abcd)"|^\{"lost":/);
        // A block's first record keeps its prev (when it has one): the chain's anchor inside the archive.
        const at = lines.findIndex((l) => l.startsWith('{"crc32c":"","rec":'));
        const bodyOf = (line: string): JournalRecord => JSON.parse(line.slice(line.indexOf('"rec":') + 6, -1)) as JournalRecord;
        const firstRecord = bodyOf(lines[at]!);
        expect(firstRecord.prev).toBe(bodyOf(recordLines(restoreBlock(m.stored, m.plainBytes) as Buffer)[at]!).prev);
        if (!starts.has(firstRecord.seq)) midBatch++;
        elidedPrevs += lines.filter((l) => l.includes(',"prev":"",')).length;
        // Exactly the prevs of records that follow a good record in the block are left out.
        const restored = recordLines(restoreBlock(m.stored, m.plainBytes) as Buffer).map((l) => Buffer.from(l));
        const good = (l: Buffer): boolean => checkLine(l, 0, l.length).ok;
        const derivable = restored.filter((l, i) => i > 0 && l.includes(',"prev":"') && good(l) && good(restored[i - 1]!)).length;
        expect(lines.filter((l) => l.includes(',"prev":"",')).length).toBe(derivable);
        // After an odd line, the next record keeps its prev.
        for (let i = 1; i < lines.length; i++) if (!lines[i - 1]!.startsWith('{"crc32c":"","rec":') && lines[i]!.startsWith('{"crc32c":"","rec":{"v":1,"seq":')) expect(lines[i]).not.toContain(',"prev":"",');
      }
      expect(elidedPrevs, `seed ${seed}`).toBeGreaterThan(500);
      if (seed === 2) expect(midBatch, 'blocks starting mid-batch').toBeGreaterThan(0);
      // Smaller than the same blocks stored whole.
      expect(file.length).toBeLessThan(all.reduce((n, m) => n + zlib.brotliCompressSync(restoreBlock(m.stored, m.plainBytes) as Buffer).length, 0) * 0.8);
    }
  });

  it('a block that would not restore is stored as it is; an archive written before elision reads the same', () => {
    const plain = segment(5, 900_000);
    // A hand-made line that looks elided, and a record whose body says "prev":"" (CRC valid): neither restores.
    const odd = Buffer.concat([plain, Buffer.from(`\n{"crc32c":"","rec":{"v":1,"seq":1}}\n`), encodeRecords([{ v: 1, seq: 99, prev: '' } as unknown as JournalRecord]).buffer]);
    const file = compressSegment(odd);
    const all = members(file);
    expect(all.at(-1)!.flags).toBe(1);
    expect(all.slice(0, -1).every((m) => m.flags === 3)).toBe(true);
    expect(decompressSegment(file, 'x').bytes.equals(odd)).toBe(true);
    // As the writer before elision stored it: every block whole, flag 1.
    const before = Buffer.concat(members(compressSegment(plain)).map((m) => {
      const block = restoreBlock(m.stored, m.plainBytes) as Buffer;
      return member(m, block, block, 1);
    }));
    expect(members(before).every((m) => m.flags === 1 && !m.stored.includes('"crc32c":""'))).toBe(true);
    expect(decompressSegment(before, 'x')).toEqual({ bytes: plain, damage: [] });
  });

  it('a flipped bit anywhere in an elided block loses that block alone and names its seqs', () => {
    const plain = segment(6, 1_200_000);
    const file = compressSegment(plain);
    const all = members(file);
    const second = all[1]!;
    const third = all[2]!;
    const seqsOf = (block: Buffer): number[] => [...block.toString('latin1').matchAll(/"rec":\{"v":1,"seq":(\d+),/g)].map((m) => Number(m[1]));
    const lost = seqsOf(restoreBlock(second.stored, second.plainBytes) as Buffer);
    const random = seededRandom(7);
    for (let round = 0; round < 40; round++) {
      const damaged = Buffer.from(file);
      const at = second.pos + HEADER_BYTES + Math.floor(random() * (third.pos - second.pos - HEADER_BYTES));
      damaged[at] = damaged[at]! ^ (1 << Math.floor(random() * 8));
      const back = decompressSegment(damaged, 'archive/x.cz');
      expect(back.damage, `byte ${at}`).toHaveLength(1);
      expect(back.damage[0]).toMatch(new RegExp(`^compressed block 2 of ${all.length} of archive/x\\.cz is damaged \\(.+\\), holding seqs ${lost[0]}\\.\\.${lost.at(-1)}$`));
      expect(back.bytes.length).toBe(plain.length);
      expect(back.bytes.subarray(0, second.header.readDoubleLE(13)).equals(plain.subarray(0, second.header.readDoubleLE(13)))).toBe(true);
      const after = third.header.readDoubleLE(13);
      expect(back.bytes.subarray(after).equals(plain.subarray(after))).toBe(true);
    }
  });

  it('doctor --verify passes on elided archives and names the block’s last record when one inside is edited (block CRC fixed up)', async () => {
    const root = tempDir('citadel-elide-');
    cleanups.push(root.dispose);
    const dir = join(root.path, 'journal');
    const journal = open(dir, { segmentBytes: 600_000, checkpointEvery: 400, fsync: false });
    for (let m = 0; m < 120; m++) {
      const changes = Array.from({ length: 10 }, (_, j) => put('beads', `b${(m * 10 + j) % 700}`, { m, j, body: `the parser drops a token ${m} ${j} `.repeat(50) }));
      await journal.mutate(() => ({ changes, value: 0 }));
    }
    await journal.checkpoint();
    journal.close();
    expect(inspectJournal(dir, { verify: true }).chain).toMatchObject({ ok: true, from: 1, to: 1200 });

    const target = allSegments(dir).find((s) => s.compressed)!;
    const file = readFileSync(target.path);
    const all = members(file);
    expect(all.length).toBeGreaterThan(2);
    const first = all[0]!;
    expect(first.flags).toBe(3);
    // An attacker's edit in the stored form: a record in the middle of block 1, its CRC and the next prevs left empty.
    const lines = first.stored.toString('utf8').split('\n');
    const records = lines.map((l, i) => [l, i] as const).filter(([l]) => l.startsWith('{"crc32c":"","rec":'));
    const [line, index] = records[records.length >> 1]!;
    expect(line).toContain(',"prev":"",');
    const edited = line.replace('the parser drops', 'the parser DROPS');
    expect(edited).not.toBe(line);
    lines[index] = edited;
    const stored = Buffer.from(lines.join('\n'));
    const plain = restoreBlock(stored, first.plainBytes);
    expect(typeof plain).not.toBe('string');
    writeFileSync(target.path, Buffer.concat([member(first, stored, plain as Buffer, 3), file.subarray(all[1]!.pos)]));

    // Every check below the chain passes: the block's CRC-32 and every record's CRC32C hold.
    const plainReport = inspectJournal(dir);
    expect(plainReport.problems).toEqual([]);
    const seqs = [...(plain as Buffer).toString('latin1').matchAll(/"rec":\{"v":1,"seq":(\d+),/g)].map((m) => Number(m[1]));
    const editedSeq = Number(/"seq":(\d+)/.exec(edited)![1]);
    expect(readSegment(target, 0).toString('utf8')).toContain('the parser DROPS');
    // The chain breaks at the block's end: its last record no longer matches the prev block 2's first record kept.
    const report = inspectJournal(dir, { verify: true });
    expect(report.chain).toMatchObject({ ok: false, at: { segment: `archive/${target.name}.cz`, seq: seqs.at(-1) } });
    expect(report.chain!.problem).toMatch(new RegExp(`seq ${seqs.at(-1)}\\) was changed after it was written \\(its hash does not match the one seq ${seqs.at(-1)! + 1} recorded for it\\)`));
    expect(editedSeq).toBeLessThan(seqs.at(-1)!);
    // The same edit made on the plain text and compressed again (CRC recomputed) is named at the record itself.
    const honest = decompressSegment(file, 'x').bytes.toString('utf8').split('\n');
    const at = honest.findIndex((l) => l.includes(`"seq":${editedSeq},`));
    const body = honest[at]!.slice(BODY_START, -1).replace('the parser drops', 'the parser DROPS');
    honest[at] = `{"crc32c":"${crcHex(crc32c(Buffer.from(body)))}","rec":${body}}`;
    writeFileSync(target.path, compressSegment(Buffer.from(honest.join('\n'))));
    expect(inspectJournal(dir, { verify: true }).chain).toMatchObject({ ok: false, at: { segment: `archive/${target.name}.cz`, line: at + 1, seq: editedSeq } });
  });
});
