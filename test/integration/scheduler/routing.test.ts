import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/temp.js';
import { makeSchedTown, type SchedTown } from './town-e2e.js';

let town: SchedTown | undefined;
afterEach(async () => {
  await town?.dispose();
  town = undefined;
});

const scripted = ['citadel', 'agent', 'scripted'];

describe('routing by CV', () => {
  it('two agents whose CVs differ: each bead goes to the agent that has done such work, and the journal says why', async () => {
    // First the agents earn their CVs: alpha only takes docs, beta only api.
    town = await makeSchedTown({ scheduler: { max: 2, agents: { beta: { argv: scripted, labels: ['api'] }, alpha: { argv: scripted, labels: ['docs'] } } } });
    const t = town;
    const closedAll = async (ids: string[]): Promise<boolean> => {
      const beads = JSON.parse((await t.cli(['bead', 'list', '--json'])).stdout) as { id: string; status: string }[];
      return ids.every((id) => beads.find((b) => b.id === id)?.status === 'closed');
    };
    const history = [
      await t.id(['bead', 'create', 'document the users API', '--label', 'docs']),
      await t.id(['bead', 'create', 'document the orders API', '--label', 'docs']),
      await t.id(['bead', 'create', 'GET /users', '--label', 'api']),
      await t.id(['bead', 'create', 'GET /orders', '--label', 'api']),
    ];
    expect((await t.cli(['town', 'start'])).code).toBe(0);
    await waitFor(() => closedAll(history), 'the history beads closed', { timeoutMs: 120_000, intervalMs: 500 });
    const alphaCv = JSON.parse((await t.cli(['cv', '--agent', 'alpha', '--json'])).stdout) as { skills: { label: string; count: number }[]; quality: { merged_first_try: number } };
    expect(alphaCv.skills).toEqual([{ label: 'docs', count: 2 }]);
    expect(alphaCv.quality.merged_first_try).toBe(2);

    // Then the labels go: any agent may take any bead, and the CVs decide (beta is listed first).
    await t.cli(['daemon', 'stop']);
    const file = join(t.root, '.citadel', 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify({ ...config, scheduler: { max: 2, agents: { beta: { argv: scripted }, alpha: { argv: scripted } } } }));
    const docs = await t.id(['bead', 'create', 'document the carts API', '--label', 'docs']);
    const api = await t.id(['bead', 'create', 'GET /carts', '--label', 'api']);
    const skilled = await t.id(['bead', 'create', 'a docs site', '--needs-skill', 'docs']);
    expect((await t.cli(['daemon', 'start'])).code).toBe(0);
    await waitFor(() => closedAll([docs, api, skilled]), 'the routed beads closed', { timeoutMs: 120_000, intervalMs: 500 });

    const decisions = t.records().filter((r) => r.kind === 'scheduler' && r.action === 'schedule');
    const about = (bead: string): { agent: string; reason: string } => {
      const record = decisions.find((r) => (r.entity as unknown as { last: { bead: string } }).last.bead === bead)!;
      return (record.entity as unknown as { last: { agent: string; reason: string } }).last;
    };
    expect(about(docs).agent).toBe('alpha');
    expect(about(docs).reason).toMatch(/on alpha: best match \(closed 2 beads labelled docs, 2\/2 merged first try\)/);
    expect(about(api).agent).toBe('beta');
    expect(about(api).reason).toMatch(/on beta: best match \(closed 2 beads labelled api/);
    expect(about(skilled).agent).toBe('alpha');
    expect(about(skilled).reason).toMatch(/has shown docs/);
  }, 300_000);
});
