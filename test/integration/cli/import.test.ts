import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bead, ImportSummary } from '../../../src/model/index.js';
import { makeTown, type TestTown } from './bead-town.js';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('../../fixtures/beads-issues.jsonl', import.meta.url));

describe('citadel bead import / export', () => {
  let town: TestTown;
  let other: TestTown;
  beforeAll(async () => {
    [town, other] = await Promise.all([makeTown(), makeTown()]);
  });
  afterAll(() => {
    town.dispose();
    other.dispose();
  });

  it('imports a Beads issues.jsonl with dependencies, reports its mapping, and is idempotent', async () => {
    const text = await town.run(['bead', 'import', FIXTURE]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Imported .*beads-issues\.jsonl \(704 in Beads format\): 704 created, 0 updated, 0 skipped\.\n/);
    expect(text.stdout).toMatch(/4 × status hooked → in_progress/);
    expect(text.stdout).toMatch(/3 × status pinned → open, label pinned/);
    expect(text.stdout).toMatch(/9 × type agent → closed chore/);
    expect(text.stdout).toMatch(/2 × type convoy → epic/);

    // blocks → needs, parent-child → parent: the ready queue respects them
    const lines = readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { id: string; status: string; dependencies?: { type: string; depends_on_id: string }[] });
    const blocked = lines.find((row) => row.status === 'open' && row.dependencies?.some((d) => d.type === 'blocks' && lines.find((o) => o.id === d.depends_on_id)?.status === 'open'))!;
    const shown = await town.json<Bead>(['bead', 'show', blocked.id]);
    expect(shown.needs.length).toBeGreaterThan(0);
    const ready = await town.json<Bead[]>(['ready']);
    expect(ready.map((b) => b.id)).not.toContain(blocked.id);
    const byId = new Map((await town.all()).map((b) => [b.id, b]));
    for (const bead of ready) for (const need of bead.needs) expect(byId.get(need)!.status).toBe('closed');

    const again = await town.json<ImportSummary>(['bead', 'import', FIXTURE]);
    expect(again).toMatchObject({ created: 0, updated: 0, skipped: 704 });
  });

  it('reports a malformed line with its number and applies nothing', async () => {
    const file = join(other.path, 'bad.jsonl');
    writeFileSync(file, ['{"id":"ct-good1","title":"fine"}', '{"id":"ct-good2","title":"also fine"}', '{"id":"ct-bad","title":"broken",'].join('\n'));
    const result = await other.run(['bead', 'import', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^citadel: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3: not valid JSON`));
    expect(await other.all()).toEqual([]);
    const missing = await other.run(['bead', 'import', 'nope.jsonl']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read the import .*nope\.jsonl: no such file/);
  });

  it('refuses an id sling would refuse, naming file:line and the grammar, and applies nothing', async () => {
    const file = join(other.path, 'dots.jsonl');
    writeFileSync(file, ['{"id":"ct-fine","title":"fine"}', '{"id":"ct-x..y","title":"cannot be a branch"}'].join('\n'));
    const result = await other.run(['bead', 'import', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `citadel: ${file}:2: "ct-x..y" is not a bead id: an id is 1–100 letters, digits, ".", "_" or "-", starting and ending with a letter or digit, with no ".." and not ending in ".lock" (it names a git branch), e.g. ct-a3f8\n`,
    );
    const beads = join(other.path, 'lock.jsonl');
    writeFileSync(beads, JSON.stringify({ id: 'bd-a1', title: 'a', issue_type: 'task', dependencies: [], parent: 'bd-a1.lock' }));
    const parent = await other.run(['bead', 'import', beads]);
    expect(parent.code).toBe(1);
    expect(parent.stderr).toMatch(/:1: "bd-a1\.lock" is not a parent id: an id is/);
    expect(await other.all()).toEqual([]);
  });

  it('refuses a field over its limit, naming file:line, and applies nothing', async () => {
    const file = join(other.path, 'huge.jsonl');
    writeFileSync(file, [JSON.stringify({ id: 'ct-ok', title: 'fine' }), JSON.stringify({ id: 'ct-huge', title: 'huge', body: 'x'.repeat(30_000_000) })].join('\n'));
    const result = await other.run(['bead', 'import', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`citadel: ${file}:2: the body is 30.0 MB; the limit is 64 KiB (put large content in a file in the repository)\n`);

    // Beads' notes land in metadata: checked where the bead is written, still named by line.
    const notes = join(other.path, 'notes.jsonl');
    writeFileSync(notes, [JSON.stringify({ id: 'bd-ok', title: 'ok', description: '' }), JSON.stringify({ id: 'bd-n', title: 'n', description: '', notes: 'n'.repeat(100_000) })].join('\n'));
    const noted = await other.run(['bead', 'import', notes]);
    expect(noted.code).toBe(1);
    expect(noted.stderr).toBe(`citadel: ${notes}:2: the field metadata.beads.notes is 100.0 kB; the limit is 64 KiB (put large content in a file in the repository)\n`);
    expect(await other.all()).toEqual([]);
  });

  it('exports JSON Lines that import into another town unchanged (also through stdin)', async () => {
    const exported = await town.run(['bead', 'export']);
    expect(exported.code).toBe(0);
    const rows = exported.stdout.split('\n').filter(Boolean);
    expect(rows).toHaveLength(704);
    const summary = await other.json<ImportSummary>(['bead', 'import', '-'], { input: exported.stdout });
    expect(summary).toMatchObject({ created: 704, formats: { citadel: 704, beads: 0 } });
    const file = join(other.path, 'out.jsonl');
    const written = await other.json<{ file: string; exported: number }>(['bead', 'export', file]);
    expect(written.exported).toBe(704);
    expect(readFileSync(file, 'utf8')).toBe(exported.stdout);
  });
});
