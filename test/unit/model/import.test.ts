import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { beadsOf, createBead, exportLines, importBeads, parseImport, readyQueue, type Bead } from '../../../src/model/index.js';
import { errorOf } from '../../helpers/errors.js';
import { memoryTown } from './fixtures.js';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('../../fixtures/beads-issues.jsonl', import.meta.url));


describe('importing the Beads issues.jsonl fixture', () => {
  const text = readFileSync(FIXTURE, 'utf8');

  it('maps every issue, reports what it mapped, and is idempotent', () => {
    const { journal, as } = memoryTown();
    const parsed = parseImport(text, 'issues.jsonl');
    const summary = journal.mutate(importBeads(as('overseer'), parsed));
    expect(summary).toMatchObject({ created: 704, updated: 0, skipped: 0, formats: { beads: 704, citadel: 0 } });
    const beads = beadsOf(journal.read());
    expect(beads.size).toBe(704);
    const messages = summary.notes.map((n) => `${n.count} ${n.message}`);
    expect(messages).toContain('4 status hooked → in_progress');
    expect(messages).toContain('3 status pinned → open, label pinned');
    expect(messages.some((m) => m.startsWith('9 type agent → closed chore'))).toBe(true);
    expect(messages).toContain('2 type convoy → epic, label beads:convoy');
    expect(messages.some((m) => /unresolved_needs/.test(m))).toBe(true);

    // blocks → needs, parent-child → parent, others → metadata.links
    const withNeeds = [...beads.values()].filter((b) => b.needs.length > 0);
    expect(withNeeds.length).toBeGreaterThan(100);
    for (const bead of withNeeds) for (const need of bead.needs) expect(beads.has(need)).toBe(true);
    expect([...beads.values()].filter((b) => b.parent !== null).length).toBeGreaterThan(300);
    const convoy = beads.get('hq-cv-d46qe')!;
    expect(convoy).toMatchObject({ type: 'epic', labels: ['beads:convoy'] });
    expect(convoy.metadata).toMatchObject({ beads: { issue_type: 'convoy' }, links: [{ type: 'tracks', id: 'external:gastown:gt-5kjn' }] });
    expect(beads.get('bd-xmf')).toMatchObject({ status: 'in_progress', assignee: 'beads/polecats/obsidian', metadata: { beads: { status: 'hooked' } } });
    expect(beads.get('bd-beads-polecat-amber')).toMatchObject({ type: 'chore', status: 'closed' });
    const message = beads.get('hq-x1fq')!;
    expect(message).toMatchObject({ type: 'message', from: 'dog', to: 'overseer', subject: 'Plugin run: rebuild-gt' });

    // the ready queue works on the imported graph: nothing ready is blocked
    const ready = readyQueue(beads);
    expect(ready.length).toBeGreaterThan(0);
    for (const bead of ready) for (const need of bead.needs) expect(beads.get(need)!.status).toBe('closed');

    // a second import changes nothing
    const again = journal.mutate(importBeads(as('overseer'), parseImport(text, 'issues.jsonl')));
    expect(again).toMatchObject({ created: 0, updated: 0, skipped: 704 });
  });

  it('round-trips through export', () => {
    const { journal, as } = memoryTown();
    journal.mutate(importBeads(as('overseer'), parseImport(text, 'issues.jsonl')));
    const exported = exportLines(beadsOf(journal.read()).values());
    expect(exported.split('\n').filter(Boolean)).toHaveLength(704);
    const other = memoryTown();
    expect(other.journal.mutate(importBeads(other.as('overseer'), parseImport(exported, 'export.jsonl')))).toMatchObject({ created: 704, formats: { citadel: 704 } });
    const again = exportLines(beadsOf(other.journal.read()).values());
    expect(again).toBe(exported);
    expect(journal.mutate(importBeads(as('overseer'), parseImport(again, 'export.jsonl')))).toMatchObject({ skipped: 704 });
  });
});

describe('import rules', () => {
  it('reports a malformed line with its number and applies nothing', () => {
    const { journal, as } = memoryTown();
    const lines = [
      JSON.stringify({ id: 'ct-aaaa', title: 'one' }),
      '',
      JSON.stringify({ id: 'ct-bbbb', title: 'two', priority: 9 }),
    ].join('\n');
    const error = errorOf(() => journal.mutate(importBeads(as('overseer'), parseImport(lines, 'in.jsonl'))));
    expect(error.message).toBe('in.jsonl:3: priority must be 0 (highest) to 4 (lowest), got 9');
    expect(errorOf(() => parseImport('{"id": "ct-a", "title": "x"}\n{oops\n', 'f')).message).toMatch(/^f:2: not valid JSON/);
    expect(errorOf(() => parseImport('[1]\n', 'f')).message).toBe('f:1: expected a JSON object (one bead per line)');
    expect(errorOf(() => parseImport('{"id":"ct-a","title":"x"}\n{"id":"ct-a","title":"y"}\n', 'f')).message).toBe('f:2: id ct-a already appears on line 1');
    expect(errorOf(() => parseImport('{"id":"ct-a","title":""}\n', 'f')).message).toMatch(/^f:1: the title is empty/);
    expect(journal.log).toHaveLength(0);
  });

  it('updates a changed bead, keeps a newer local copy, and refuses a cycle naming it', () => {
    const { journal, as } = memoryTown();
    const ctx = as('overseer');
    const row = (fields: Partial<Bead>) => JSON.stringify({ id: 'ct-aaaa', title: 'one', updated_at: '2026-01-01T00:00:00.000Z', created_at: '2026-01-01T00:00:00.000Z', ...fields });
    expect(journal.mutate(importBeads(ctx, parseImport(row({}), 'f')))).toMatchObject({ created: 1 });
    expect(journal.mutate(importBeads(ctx, parseImport(row({ title: 'renamed', updated_at: '2026-02-01T00:00:00.000Z' }), 'f')))).toMatchObject({ updated: 1 });
    const stale = journal.mutate(importBeads(ctx, parseImport(row({ title: 'old' }), 'f')));
    expect(stale).toMatchObject({ skipped: 1 });
    expect(stale.notes[0]!.message).toMatch(/town's copy/);
    const b = journal.mutate(createBead(ctx, { title: 'b', needs: ['ct-aaaa'] }));
    const cycle = errorOf(() => journal.mutate(importBeads(ctx, parseImport(row({ needs: [b.id], updated_at: '2026-03-01T00:00:00.000Z' }), 'f'))));
    expect(cycle.message).toBe(`f:1: refused: the import would make a dependency cycle: ct-aaaa → ${b.id} → ct-aaaa`);
  });
});

describe('import text handling', () => {
  it('accepts a byte-order mark and CRLF line ends', () => {
    const parsed = parseImport('\uFEFF{"id":"ct-aaaa","title":"one"}\r\n{"id":"ct-bbbb","title":"two"}\r\n', 'f');
    expect(parsed.drafts.map((d) => d.bead.id)).toEqual(['ct-aaaa', 'ct-bbbb']);
  });
});
