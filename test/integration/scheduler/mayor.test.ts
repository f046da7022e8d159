import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import { citadelBin } from '../../helpers/cli.js';
import { gitEnv } from '../../helpers/git.js';
import { waitFor } from '../../helpers/temp.js';
import { makeSchedTown, type SchedTown } from './town-e2e.js';

let town: SchedTown | undefined;
let client: Client | undefined;
afterEach(async () => {
  await client?.close();
  client = undefined;
  await town?.dispose();
  town = undefined;
});

describe('a mayor', () => {
  it('sling --role mayor starts a pinned mayor; over MCP it lists, peeks, nudges, slings and runs the scheduler, attributed to it; the scheduler restarts it when it exits', async () => {
    town = await makeSchedTown();
    const t = town;
    const first = await t.id(['bead', 'create', 'first task']);
    const second = await t.id(['bead', 'create', 'second task']);
    const mayor = JSON.parse((await t.cli(['sling', '--role', 'mayor', '--agent', 'shell', '--json'])).stdout) as { bead: string; polecat: string; created: boolean };
    expect(mayor).toMatchObject({ polecat: 'mayor', created: true });
    const bead = JSON.parse((await t.cli(['bead', 'show', mayor.bead, '--json'])).stdout) as { pinned: boolean; labels: string[]; body: string };
    expect(bead).toMatchObject({ pinned: true, labels: ['role:mayor'] });
    expect(bead.body).toMatch(/You are the mayor of this citadel town/);

    // The mayor's MCP server, as its agent would run it (its polecat environment).
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...t.env, ...gitEnv, NO_COLOR: '1', CITADEL_ACTOR: '', CITADEL_TOWN: t.root, CITADEL_POLECAT: 'mayor', CITADEL_BEAD: mayor.bead })) if (value !== undefined) env[key] = value;
    client = new Client({ name: 'mayor-test', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [citadelBin, 'mcp'], cwd: t.root, env, stderr: 'pipe' }));
    const call = async <T>(name: string, args: Record<string, unknown> = {}): Promise<T> => {
      const result = (await client!.callTool({ name, arguments: args })) as { isError?: boolean; content: Array<{ text: string }> };
      const text = result.content.map((c) => c.text).join('');
      if (result.isError) throw new Error(`${name}: ${text}`);
      return JSON.parse(text) as T;
    };

    expect((await call<{ name: string; status: string }[]>('polecats')).map((p) => p.name)).toContain('mayor');
    await call('nudge', { name: 'mayor', text: 'echo mayor-was-here' });
    await waitFor(async () => (await call<{ lines: string[] }>('peek', { name: 'mayor' })).lines.some((l) => l.includes('mayor-was-here') && !l.includes('echo')), 'the nudge ran in the pane', { timeoutMs: 15_000, intervalMs: 200 });
    expect(await call('sling', { id: first, agent: 'scripted' })).toMatchObject({ bead: first });
    expect(await call('town', { action: 'start', max: 2, agent: 'scripted' })).toMatchObject({ state: 'running', max: 2 });
    await waitFor(async () => (JSON.parse((await t.cli(['bead', 'list', '--json'])).stdout) as { id: string; status: string }[]).filter((b) => b.id === first || b.id === second).every((b) => b.status === 'closed'), 'both tasks closed', {
      timeoutMs: 90_000,
      intervalMs: 500,
    });

    // Attributed to the mayor: the scheduler's start and the sling are the mayor's records, in its CV.
    const records = t.records();
    expect(records.find((r) => r.kind === 'scheduler' && r.action === 'town-start')!.writer).toBe('mayor');
    expect(records.find((r) => r.kind === 'beads' && r.id === first && r.action === 'claim')!.writer).toBe('mayor');
    const cv = JSON.parse((await t.cli(['cv', 'mayor', '--json'])).stdout) as { recent: { bead: string }[] };
    expect(cv.recent.map((e) => e.bead)).toContain(first);

    // The mayor exits: its pinned bead brings it back, on the same polecat, after its backoff.
    const killed = await t.cli(['polecat', 'kill', 'mayor']);
    expect(killed.code, killed.stderr).toBe(0);
    await waitFor(
      () => t.records().some((r) => r.kind === 'scheduler' && r.action === 'schedule' && /^pinned .* back on mayor \(shell\)/.test(r.summary ?? '')),
      'the mayor restarted by the scheduler',
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    // Running again (a live program on its bead; a quiet shell soon reads as idle, which is fine).
    const working = async (): Promise<number | undefined> =>
      (JSON.parse((await t.cli(['polecat', 'list', '--json'])).stdout) as { name: string; status: string; bead: string; pid: number | null }[]).find((p) => p.name === 'mayor' && p.bead === mayor.bead && p.pid !== null)?.pid ?? undefined;
    const pid = await waitFor(working, 'the mayor running again', { timeoutMs: 20_000, intervalMs: 200 });

    // Paused, the scheduler takes no work, but a long-lived role is still kept running.
    expect((await t.cli(['town', 'pause'])).code).toBe(0);
    expect((await t.cli(['polecat', 'kill', 'mayor'])).code).toBe(0);
    await waitFor(async () => {
      const again = await working();
      return again !== undefined && again !== pid;
    }, 'the mayor restarted while the scheduler is paused', { timeoutMs: 20_000, intervalMs: 200 });
    expect(t.records().filter((r) => r.kind === 'scheduler' && r.action === 'schedule' && /^pinned /.test(r.summary ?? ''))).toHaveLength(2);
  }, 180_000);
});
