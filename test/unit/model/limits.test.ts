import { describe, expect, it } from 'vitest';
import { BEAD_KIND, type Bead } from '../../../src/model/bead.js';
import { BEAD_ID_GRAMMAR, isBeadId } from '../../../src/model/ids.js';
import { checkBeadLimits, checkTitleLength, formatSize, LIMITS, utf8Length } from '../../../src/model/limits.js';
import fc from 'fast-check';
import { parseImport } from '../../../src/model/import/parse.js';
import { importBeads } from '../../../src/model/import/apply.js';
import { createBead, sendMail, transact, updateBead } from '../../../src/model/index.js';
import { checkBody, checkId, checkLabel, checkTitle, uniqueLabels } from '../../../src/model/validate.js';
import { bead } from './fixtures.js';
import { memoryTown } from './fixtures.js';

describe('field limits (limits.ts)', () => {
  it('counts UTF-8 bytes as Node does, for any text — lone surrogates, emoji, CJK — without Buffer in the domain layer', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => utf8Length(text) === Buffer.byteLength(text, 'utf8')), { numRuns: 2000 });
    for (const text of ['', 'a', 'é', '€', '😀', '\ud800', '\udc00x', '\ud83d\ud83d', '漢字', 'a\u0000b']) expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
  });

  it('formats sizes as a person reads them', () => {
    expect(formatSize(30_000_000)).toBe('30.0 MB');
    expect(formatSize(64 * 1024)).toBe('64 KiB');
    expect(formatSize(16 * 2 ** 20)).toBe('16 MiB');
    expect(formatSize(70_000)).toBe('70.0 kB');
    expect(formatSize(812)).toBe('812 bytes');
  });

  it('refuses a body over 64 KiB in bytes, with its size, the limit and what to do', () => {
    expect(checkBody('x'.repeat(LIMITS.body))).toHaveLength(LIMITS.body);
    expect(() => checkBody('x'.repeat(30_000_000))).toThrow(
      /^the body is 30\.0 MB; the limit is 64 KiB \(put large content in a file in the repository\)$/,
    );
    // UTF-8 bytes, not characters: 30k three-byte characters are 90 kB
    expect(() => checkBody('€'.repeat(30_000))).toThrow(/the body is 90\.0 kB; the limit is 64 KiB/);
  });

  it('refuses a title over 500 characters, and a subject over 1000', () => {
    expect(checkTitle('t'.repeat(500))).toHaveLength(500);
    expect(() => checkTitle('t'.repeat(501))).toThrow(/^the title is 501 characters; the limit is 500 \(put the details in the body\)$/);
    // a subject has room for "rework: " / "Re: " before a title at its limit
    expect(checkTitle(`rework: ${'t'.repeat(500)}`, 'subject')).toHaveLength(508);
    expect(() => checkTitle('s'.repeat(1001), 'subject')).toThrow(/^the subject is 1001 characters; the limit is 1000/);
  });

  it('refuses a label over 64 characters and more than 100 labels', () => {
    expect(checkLabel('l'.repeat(64))).toHaveLength(64);
    expect(() => checkLabel('l'.repeat(10_000))).toThrow(/^bad label "l{40}"… \(10000 characters\): a label is 1–64 characters/);
    expect(uniqueLabels(Array.from({ length: 100 }, (_, i) => `l${i}`))).toHaveLength(100);
    expect(() => uniqueLabels(Array.from({ length: 101 }, (_, i) => `l${i}`))).toThrow(/^the bead has 101 labels; the limit is 100$/);
  });

  it('checks every text of a bead, nested ones by their path, and the whole bead', () => {
    const big = 'n'.repeat(70_000);
    expect(() => checkBeadLimits(bead('ct-a', { metadata: { beads: { notes: big } } }))).toThrow(
      /^the field metadata\.beads\.notes is 70\.0 kB; the limit is 64 KiB \(put large content/,
    );
    expect(() => checkBeadLimits({ ...bead('ct-a'), acceptance: big } as Bead)).toThrow(/^the field acceptance is 70\.0 kB/);
    expect(() => checkBeadLimits(bead('ct-a', { close_reason: 'r'.repeat(9000) }))).toThrow(/^the close reason is 9\.0 kB; the limit is 8 KiB/);
    // many fields each under their limit, together over 1 MiB
    const wide = { ...bead('ct-a'), ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, 'w'.repeat(60_000)])) } as Bead;
    expect(() => checkBeadLimits(wide)).toThrow(/^the bead ct-a is 1\.2 MB as JSON; the limit is 1 MiB/);
  });

  it('lets a bead stored before the limits still be claimed and closed, but not grow', () => {
    const old = bead('ct-old', { body: 'b'.repeat(100_000), title: 't'.repeat(600) });
    expect(() => checkBeadLimits({ ...old, status: 'closed', updated_at: '2026-02-01T00:00:00.000Z' }, old)).not.toThrow();
    expect(() => checkBeadLimits({ ...old, body: `${old.body}!` }, old)).toThrow(/the body is 100\.0 kB/);
  });

  it('is applied at the one write every path goes through: create, update, mail', () => {
    const town = memoryTown();
    const ctx = town.as('overseer');
    expect(() => town.journal.mutate(createBead(ctx, { title: 'big', body: 'x'.repeat(70_000) }))).toThrow(/the body is 70\.0 kB; the limit is 64 KiB/);
    const made = town.journal.mutate(createBead(ctx, { title: 'small' }));
    expect(() => town.journal.mutate(updateBead(ctx, made.id, { body: 'x'.repeat(70_000) }))).toThrow(/the body is 70\.0 kB/);
    expect(() => town.journal.mutate(sendMail(ctx, { to: 'overseer', subject: 'hi', body: 'x'.repeat(70_000) }))).toThrow(/the body is 70\.0 kB/);
    expect(() =>
      town.journal.mutate(transact(ctx, (tx) => tx.create({ title: 'step', fields: { acceptance: 'a'.repeat(70_000) } }))),
    ).toThrow(/the field acceptance is 70\.0 kB/);
    expect([...town.journal.read().all(BEAD_KIND).keys()]).toEqual([made.id]);
  });

  it('in an import names the file and line, and applies nothing', () => {
    const town = memoryTown();
    const ctx = town.as('overseer');
    const lines = [
      JSON.stringify({ id: 'bd-ok', title: 'fine', description: 'short' }),
      JSON.stringify({ id: 'bd-notes', title: 'notes', description: 'short', notes: 'n'.repeat(70_000) }),
    ].join('\n');
    expect(() => town.journal.mutate(importBeads(ctx, parseImport(lines, 'issues.jsonl')))).toThrow(
      /^issues\.jsonl:2: the field metadata\.beads\.notes is 70\.0 kB; the limit is 64 KiB/,
    );
    expect(() => parseImport(JSON.stringify({ id: 'bd-big', title: 'big', description: 'd'.repeat(70_000) }), 'f.jsonl')).toThrow(
      /^f\.jsonl:1: the description is 70\.0 kB; the limit is 64 KiB/,
    );
    expect(town.journal.read().all(BEAD_KIND).size).toBe(0);
  });
});

describe('the one bead id grammar (ids.ts)', () => {
  it('refuses what a branch cannot hold: "..", a ".lock" end', () => {
    for (const id of ['ct-x..y', 'ct-a3f8.lock', 'ct-a3f8.LOCK', 'a..b']) expect(isBeadId(id), id).toBe(false);
    for (const id of ['ct-a3f8', 'ct-a3f8.2', 'ct-x.y', 'ct-lock', 'ct-a.locker', 'bd-98c4e1fa.1']) expect(isBeadId(id), id).toBe(true);
    expect(isBeadId('a'.repeat(100))).toBe(true);
    expect(isBeadId('a'.repeat(101))).toBe(false);
  });

  it('says what the grammar is when it refuses', () => {
    expect(() => checkId('ct-x..y')).toThrow(`"ct-x..y" is not a bead id: ${BEAD_ID_GRAMMAR}`);
    expect(BEAD_ID_GRAMMAR).toMatch(/no "\.\."/);
    expect(() => checkId('x'.repeat(5000), 'needs id')).toThrow(/^"x{40}"… \(5000 characters\) is not a needs id/);
  });

  it('is the grammar import uses, naming the line', () => {
    const lines = [JSON.stringify({ id: 'ct-ok', title: 'fine' }), JSON.stringify({ id: 'ct-x..y', title: 'dots' })].join('\n');
    expect(() => parseImport(lines, 'in.jsonl')).toThrow(`in.jsonl:2: "ct-x..y" is not a bead id: ${BEAD_ID_GRAMMAR}`);
    const need = JSON.stringify({ id: 'ct-ok', title: 'fine', needs: ['ct-a.lock'] });
    expect(() => parseImport(need, 'in.jsonl')).toThrow(/^in\.jsonl:1: "ct-a\.lock" is not a needs id: an id is/);
  });

  it('counts a title in characters, not UTF-16 units, and a bead near its limit in UTF-8 bytes (the fast paths agree)', () => {
    expect(checkTitleLength('😀'.repeat(LIMITS.title))).toHaveLength(2 * LIMITS.title);
    expect(() => checkTitleLength('😀'.repeat(LIMITS.title + 1))).toThrow(/is 501 characters; the limit is 500/);
    expect(() => checkTitleLength('a'.repeat(LIMITS.title + 1))).toThrow(/is 501 characters/);
    // over a third of the limit in units: counted in bytes — 780 KB fits, 1.2 MB does not
    const fields = (euros: number, ascii: number): Record<string, string> => ({
      ...Object.fromEntries(Array.from({ length: euros }, (_, i) => [`e${i}`, '€'.repeat(20_000)])),
      ...Object.fromEntries(Array.from({ length: ascii }, (_, i) => [`a${i}`, 'a'.repeat(60_000)])),
    });
    const wide = bead('ct-wide', { metadata: fields(10, 3) } as Partial<Bead>);
    expect(JSON.stringify(wide).length * 3).toBeGreaterThan(LIMITS.bead);
    expect(() => checkBeadLimits(wide)).not.toThrow();
    const wider = bead('ct-wider', { metadata: fields(20, 0) } as Partial<Bead>);
    expect(() => checkBeadLimits(wider)).toThrow(/^the bead ct-wider is 1.2 MB as JSON; the limit is 1 MiB/);
  });
});
