import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../../src/journal/doctor.js';
import { StoreLock } from '../../../src/journal/lock.js';
import { runCli, runJson } from '../../helpers/cli.js';
import { makeRepo } from '../../helpers/git.js';
import { open, put } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** A town with 30 beads written through the journal (small segments, so several exist). */
async function town(): Promise<{ root: string; citadel: string; journalDir: string }> {
  const repo = makeRepo();
  cleanups.push(repo.dispose);
  expect((await runCli(['init'], { cwd: repo.path })).code).toBe(0);
  const citadel = join(repo.path, '.citadel');
  const journalDir = join(citadel, 'journal');
  const journal = open(journalDir, { projections: citadel, segmentBytes: 1500, checkpointEvery: 1000 });
  for (let i = 0; i < 30; i++) await journal.mutate(() => ({ changes: [put('beads', `ct-${i}`, { title: `bead ${i}` })], value: 0 }));
  journal.close();
  return { root: repo.path, citadel, journalDir };
}

const doctor = async (cwd: string, ...args: string[]): Promise<{ code: number; report: DoctorReport & { repaired?: string[] } }> => {
  const result = await runCli(['doctor', '--json', ...args], { cwd });
  expect(result.stderr).toBe('');
  return { code: result.code, report: JSON.parse(result.stdout) as DoctorReport & { repaired?: string[] } };
};

describe('citadel doctor', { timeout: 180_000 }, () => {
  it('reports a healthy journal: segments, events, entities, watermark, lock', async () => {
    const { root } = await town();
    const { code, report } = await doctor(root);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    expect(report.events).toBe(30);
    expect(report.seq).toBe(30);
    expect(report.entities).toEqual({ total: 30, byKind: { beads: 30 } });
    expect(report.segments.length).toBeGreaterThan(1);
    expect(report.watermarkLag).toBe(0);
    expect(report.corrupt).toEqual([]);
    expect(report.lock.held).toBe(false);
    const human = await runCli(['doctor'], { cwd: root });
    expect(human.stdout).toMatch(/events\s+30/);
    expect(human.stdout.trim().split('\n').at(-1)).toBe('ok');
  });

  it('names the lock holder while the lock is held', async () => {
    const { root, journalDir } = await town();
    const lock = new StoreLock(journalDir, 'holder-under-test');
    cleanups.push(() => lock.close());
    expect(lock.tryAcquire()).toBe(true);
    const { report } = await doctor(root);
    expect(report.lock.held).toBe(true);
    expect(report.lock.holder).toMatchObject({ pid: process.pid, writer: 'holder-under-test', alive: true });
  });

  it('reports a torn tail, and --repair sets it aside', async () => {
    const { root, journalDir } = await town();
    const newest = readdirSync(journalDir).filter((f) => f.startsWith('seg-')).sort().at(-1)!;
    appendFileSync(join(journalDir, newest), '\n{"crc32c":"0000');
    const before = await doctor(root);
    expect(before.code).toBe(1);
    expect(before.report.tornTails).toEqual([expect.objectContaining({ segment: newest, pending: true, bytes: 15 })]);
    const repaired = await doctor(root, '--repair');
    expect(repaired.code).toBe(0);
    expect(repaired.report.repaired!.join('\n')).toContain('set aside a torn tail');
    expect(repaired.report.tornTails).toEqual([expect.objectContaining({ segment: newest, pending: false })]);
    expect(readFileSync(join(journalDir, 'recovery.log'), 'utf8')).toContain('set-aside-torn-tail');
  });

  it('locates a corrupt record, fails closed, and --repair quarantines it keeping the original, recovering its entity from the query index (beads have no projection files)', async () => {
    const { root, citadel, journalDir } = await town();
    const segment = readdirSync(journalDir).filter((f) => f.startsWith('seg-')).sort()[1]!;
    const path = join(journalDir, segment);
    const bytes = readFileSync(path);
    const at = bytes.indexOf('bead ') + 2;
    bytes[at]! ^= 0x20;
    writeFileSync(path, bytes);

    const before = await doctor(root);
    expect(before.code).toBe(1);
    expect(before.report.corrupt).toHaveLength(1);
    const damage = before.report.corrupt[0]!;
    expect(damage).toMatchObject({ segment, reason: 'CRC32C mismatch' });
    expect(damage.offset).toBeLessThan(at);
    const failing = open(journalDir);
    expect(() => [...failing.records()]).toThrow(new RegExp(`${segment} at byte ${damage.offset} \\(seq ${damage.seq}\\)`));
    failing.close();

    const repaired = await doctor(root, '--repair');
    expect(repaired.code, JSON.stringify(repaired.report.problems)).toBe(0);
    expect(repaired.report.quarantined).toBe(1);
    expect(repaired.report.events).toBe(30); // 29 intact + the recovered one
    expect(repaired.report.seq).toBe(31);
    expect(repaired.report.repaired!.join('\n')).toContain('recovered 1 entity the journal lost (1 from the query index) as new records at seqs 31..31');
    expect(readdirSync(join(journalDir, 'quarantine')).some((f) => f.startsWith(segment))).toBe(true);
    expect(readFileSync(join(journalDir, 'recovery.log'), 'utf8')).toContain('"quarantine"');
    const journal = open(journalDir, { projections: citadel });
    cleanups.push(() => journal.close());
    expect(journal.read().all('beads').size).toBe(30);
    expect(journal.read().get('beads', `ct-${damage.seq - 1}`)).toEqual({ id: `ct-${damage.seq - 1}`, title: `bead ${damage.seq - 1}` });
    expect([...journal.records()].map((r) => r.seq)).toEqual([...Array(31).keys()].map((k) => k + 1).filter((s) => s !== damage.seq));
    expect((await journal.mutate(() => ({ changes: [put('beads', 'ct-new')], value: 0 }))).seq).toBe(32);
  });

  it('finds missing projection files (of the kinds projected: polecats), and --repair rewrites them', async () => {
    const { root, citadel, journalDir } = await town();
    const journal = open(journalDir, { projections: citadel });
    for (const name of ['ace', 'nux']) await journal.mutate(() => ({ changes: [put('polecats', name, { name })], value: 0 }));
    journal.close();
    rmSync(join(citadel, 'polecats', 'ace.json'));
    writeFileSync(join(citadel, 'polecats', 'nux.json'), '{}');
    const before = await doctor(root);
    expect(before.code).toBe(1);
    expect(before.report.projections).toMatchObject({ missing: ['polecats/ace.json'], stale: ['polecats/nux.json'] });
    const after = await doctor(root, '--repair');
    expect(after.code).toBe(0);
    expect(existsSync(join(citadel, 'polecats', 'ace.json'))).toBe(true);
    expect(await runJson(['doctor'], { cwd: root })).toMatchObject({ ok: true });
  });
});
