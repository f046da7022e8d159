import { chmodSync, chownSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../../src/daemon/client.js';
import { daemonPaths } from '../../../src/daemon/runtime-dir.js';
import { runCli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp.js';
import { FrameScreen, makeTown, waitFor, type TestTown } from './harness.js';

let town: TestTown | undefined;
afterEach(async () => {
  await town?.dispose();
  town = undefined;
});

describe('citadel daemon', () => {
  it('starts once per town, serves two clients at once, and keeps serving when one detaches', async () => {
    town = await makeTown();
    const started = await town.cli(['daemon', 'start', '--json']);
    expect(started.code, started.stderr).toBe(0);
    const first = JSON.parse(started.stdout) as { started: boolean; pid: number };
    expect(first.started).toBe(true);
    const again = JSON.parse((await town.cli(['daemon', 'start', '--json'])).stdout) as { started: boolean; pid: number };
    expect(again).toMatchObject({ started: false, pid: first.pid });

    const a = await town.client('a');
    const b = await town.client('b');
    await a.request('spawn', { id: 'echo', argv: ['cat'], cols: 40, rows: 8 });
    const screenA = new FrameScreen();
    const screenB = new FrameScreen();
    await a.subscribe('echo', screenA.apply);
    const subB = await b.subscribe('echo', screenB.apply);
    expect(subB.info).toMatchObject({ id: 'echo', cols: 40, rows: 8, status: 'working' });

    await b.request('input', { pane: 'echo', data: 'from-b\r' });
    await waitFor(() => screenA.has('from-b') && screenB.has('from-b'), 'both clients to see the echo');

    b.close();
    await a.request('input', { pane: 'echo', data: 'after-detach\r' });
    await waitFor(() => screenA.has('after-detach'), 'the remaining client to keep getting frames');
    const status = JSON.parse((await town.cli(['daemon', 'status', '--json'])).stdout) as { clients: Array<{ client: string }>; panes: number };
    expect(status.panes).toBe(1);
    expect(status.clients.map((c) => c.client)).toContain('a');
    expect(status.clients.map((c) => c.client)).not.toContain('b');

    const scrollback = await a.request('scrollback', { pane: 'echo', plain: true });
    expect(scrollback.lines.map(([, text]) => text)).toContain('after-detach');

    await a.request('resize', { pane: 'echo', cols: 50, rows: 10 });
    await waitFor(() => screenA.rows.length === 10, 'a full frame at the new size');
    const panes = await a.request('list');
    expect(panes[0]).toMatchObject({ id: 'echo', cols: 50, rows: 10 });

    // The journal moving on is announced to clients.
    let journalSeq = 0;
    a.on('journal', (seq) => (journalSeq = seq));
    expect((await town.cli(['bead', 'create', 'announce me'])).code).toBe(0);
    await waitFor(() => journalSeq > 0, 'a journal event');

    await a.request('kill', { pane: 'echo' });
    await waitFor(async () => (await a.request('list'))[0]?.status === 'exited', 'the pane to exit');

    const stopped = await town.cli(['daemon', 'stop', '--json']);
    expect(JSON.parse(stopped.stdout)).toMatchObject({ stopped: true, pid: first.pid });
    expect((await town.cli(['daemon', 'status', '--json'])).stdout).toContain('"running": false');
  });

  it('keeps memory bounded and answers another pane while one runs `yes` for seconds', async () => {
    town = await makeTown();
    expect((await town.cli(['daemon', 'start'])).code).toBe(0);
    const client = await town.client('tui');
    await client.request('spawn', { id: 'flood', argv: ['sh', '-c', 'yes "$(seq -s " " 1 30)" | cat -n'], cols: 100, rows: 30 });
    await client.request('spawn', { id: 'echo', argv: ['cat'], cols: 100, rows: 30 });
    const flood = new FrameScreen();
    const echo = new FrameScreen();
    await client.subscribe('flood', flood.apply);
    await client.subscribe('echo', echo.apply);
    const until = Date.now() + 4000;
    let round = 0;
    let peakRss = 0;
    while (Date.now() < until) {
      const word = `ping${round++}`;
      await client.request('input', { pane: 'echo', data: `${word}\r` });
      await waitFor(() => echo.has(word), `the echo of ${word}`, { timeoutMs: 5000 });
      const status = await client.request('status');
      peakRss = Math.max(peakRss, status.memory.rss);
    }
    expect(round).toBeGreaterThan(5);
    expect(flood.frames).toBeGreaterThan(5);
    const { total } = await client.request('scrollback', { pane: 'flood', count: 1 });
    // The default scrollback (2,000 lines, src/town/config.ts) bounds what a flood leaves.
    expect(total).toBeLessThanOrEqual(2_000 + 30);
    expect(peakRss).toBeLessThan(400 * 2 ** 20);
  });

  it('starts exactly one daemon when several callers race to start it', async () => {
    town = await makeTown();
    const t = town;
    const results = await Promise.all([1, 2, 3, 4].map(() => t.cli(['daemon', 'start', '--json'])));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const parsed = results.map((result) => JSON.parse(result.stdout) as { started: boolean; pid: number });
    expect(parsed.filter((p) => p.started)).toHaveLength(1);
    expect(new Set(parsed.map((p) => p.pid)).size).toBe(1);
  });

  it('refuses a hello without the right token', async () => {
    town = await makeTown();
    expect((await town.cli(['daemon', 'start'])).code).toBe(0);
    const paths = daemonPaths(town.root, town.env);
    const { connect: connectSocket } = await import('node:net');
    const socket = connectSocket(paths.socket);
    let reply = '';
    socket.on('data', (chunk) => (reply += chunk.toString()));
    socket.write(`${JSON.stringify({ t: 'hello', token: 'wrong', version: 1, client: 'evil' })}\n`);
    await waitFor(() => reply.includes('"ok":false'), 'a refusal');
    expect(reply).toContain('token');
    socket.destroy();
  });

  it('refuses a runtime directory with loose modes, another owner or a symlink', async () => {
    town = await makeTown();
    const dir = tempDir('citadel-badrt-');
    try {
      const loose = join(dir.path, 'loose');
      mkdirSync(loose);
      chmodSync(loose, 0o755);
      const result = await runCli(['daemon', 'start'], { cwd: town.root, env: { CITADEL_RUNTIME_DIR: loose } });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/mode is 0755, it must be 0700/);

      const link = join(dir.path, 'link');
      const target = join(dir.path, 'target');
      mkdirSync(target, { mode: 0o700 });
      symlinkSync(target, link);
      const viaLink = await runCli(['daemon', 'start'], { cwd: town.root, env: { CITADEL_RUNTIME_DIR: link } });
      expect(viaLink.code).toBe(1);
      expect(viaLink.stderr).toMatch(/symlink/);

      if (process.getuid?.() === 0) {
        // As root the test can hand a private directory to someone else.
        const foreign = join(dir.path, 'foreign');
        mkdirSync(foreign, { mode: 0o700 });
        chownSync(foreign, 65534, 65534);
        const result = await runCli(['daemon', 'start'], { cwd: town.root, env: { CITADEL_RUNTIME_DIR: foreign } });
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/belongs to uid 65534/);
      }

      await expect(connect(town.root, { env: { ...process.env, CITADEL_RUNTIME_DIR: loose } })).rejects.toThrow(/no daemon is running|mode/);
    } finally {
      dir.dispose();
    }
  });
});
