import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bead, ImportSummary } from '../../src/model/index.js';
import { makeTown, type TestTown } from './bead-town.js';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('../fixtures/beads-issues.jsonl', import.meta.url));

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
