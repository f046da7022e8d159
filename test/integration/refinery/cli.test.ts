import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runRefinery } from '../../../src/refinery/refinery.js';
import type { RefineryStatus } from '../../../src/refinery/status.js';
import { runCli, runJson } from '../../helpers/cli.js';
import { waitFor } from '../../helpers/temp.js';
import { finishWork, makeTown, type TestTown } from './town.js';

describe('citadel refinery', () => {
  const towns: TestTown[] = [];
  afterEach(() => towns.splice(0).forEach((t) => t.dispose()));

  it('status shows the queue, then run --once lands it and status shows the results', async () => {
    const t = makeTown();
    towns.push(t);
    const a = await finishWork(t, 'nux', 'alpha', { 'a.txt': 'a\n' });
    const b = await finishWork(t, 'furiosa', 'beta', { 'a.txt': 'b\n' });
    const before = await runJson<RefineryStatus>(['refinery', 'status'], { cwd: t.root });
    expect(before.queue.map((item) => item.id)).toEqual([a.request.id, b.request.id]);
    expect(before.current).toBeNull();
    const text = await runCli(['refinery', 'status'], { cwd: t.root });
    expect(text.stdout).toContain('refinery: 2 queued, 0 merged, 0 rejected · no worker running');
    expect(text.stdout).toContain(`1. ${a.request.id}  P2  nux  ${a.branch}`);

    const run = await runJson<{ merged: string[]; rejected: string[] }>(['refinery', 'run', '--once'], { cwd: t.root });
    expect(run).toEqual({ merged: [a.request.id], rejected: [b.request.id], waiting: [] });
    const after = await runCli(['refinery', 'status'], { cwd: t.root });
    expect(after.stdout).toContain('refinery: 0 queued, 1 merged, 1 rejected');
    expect(after.stdout).toMatch(new RegExp(`✗ ${b.request.id} .* rejected: conflicts with main in a\\.txt`));
    expect(after.stdout).toMatch(new RegExp(`✓ ${a.request.id} .* merged as [0-9a-f]{10}`));
    const bad = await runCli(['refinery', 'status', '--recent', 'x'], { cwd: t.root });
    expect(bad.code, bad.stderr).toBe(2);
  });

  it('bare refinery prints its help; a mistyped subcommand of refinery or agent is an unknown command (exit 2)', async () => {
    const bare = await runCli(['refinery'], { cwd: tmpdir() });
    expect(bare.code).toBe(0);
    expect(bare.stdout).toMatch(/status \[options\]/);
    const typo = await runCli(['refinery', 'stauts'], { cwd: tmpdir() });
    expect(typo.code).toBe(2);
    expect(typo.stderr.trim()).toBe("citadel: unknown command 'stauts' (see --help)");
    const agentTypo = await runCli(['agent', 'scripeted'], { cwd: tmpdir() });
    expect(agentTypo.code).toBe(2);
    expect(agentTypo.stderr.trim()).toBe("citadel: unknown command 'scripeted' (see --help)");
  });

  it('when stopped mid-gate (the daemon shutting down), ends the gate and requeues the request', async () => {
    const gate = ['node', '-e', "require('fs').writeFileSync(require('path').join(process.env.CITADEL_TOWN,'.citadel','gate-started'),''); setInterval(()=>{},1000)"];
    const t = makeTown({ gates: [gate] });
    towns.push(t);
    const work = await finishWork(t, 'nux', 'slow gate', { 'a.txt': 'a\n' });
    const controller = new AbortController();
    const running = runRefinery(t.root, { signal: controller.signal, pollMs: 20 });
    await waitFor(() => existsSync(join(t.root, '.citadel', 'gate-started')), 'the gate to start');
    const status = await runJson<RefineryStatus>(['refinery', 'status'], { cwd: t.root });
    expect(status.current?.id).toBe(work.request.id);
    expect((status as unknown as { worker: { running: boolean; pid: number } }).worker).toEqual({ running: true, pid: process.pid });
    expect(status.current?.stage).toBe(`gate 1/1: ${gate.join(' ')}`);
    controller.abort();
    await running;
    expect(t.bead(work.request.id).state).toBe('queued');
    // With a passing gate it lands on the next run.
    t.configure({ gates: [['node', '-e', '0']] });
    const again = await runRefinery(t.root, { once: true });
    expect(again.merged).toEqual([work.request.id]);
  });
});
