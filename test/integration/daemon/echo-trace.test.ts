import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameScreen, makeTown, waitFor, type TestTown } from './harness.js';

let town: TestTown | undefined;
afterEach(async () => {
  await town?.dispose();
  town = undefined;
});

describe('CITADEL_DAEMON_TRACE', () => {
  it("logs each keystroke's round trip through the daemon, with its parts, on the daemon's clock", async () => {
    town = await makeTown({ env: { CITADEL_DAEMON_TRACE: '1' } });
    expect((await town.cli(['daemon', 'start'])).code).toBe(0);
    const client = await town.client('tui');
    await client.request('spawn', { id: 'echo', argv: ['cat'], cols: 40, rows: 8 });
    const screen = new FrameScreen();
    await client.subscribe('echo', screen.apply);
    await client.request('input', { pane: 'echo', data: 'traced\r' });
    await waitFor(() => screen.has('traced'), 'the echo');
    const log = join(town.root, '.citadel', 'run', 'daemon.log');
    const line = await waitFor(() => readFileSync(log, 'utf8').split('\n').find((l) => l.startsWith('echo-trace echo ')), 'the trace line');
    const match = /^echo-trace echo at [\d.]+ epoch [\d.]+ write ([\d.]+) output ([\d.]+) parse ([\d.]+) frame ([\d.]+) total ([\d.]+) ms$/.exec(line!);
    expect(match, line).not.toBeNull();
    const [write, output, parse, frame, total] = match!.slice(1).map(Number);
    expect(write! + output! + parse! + frame!).toBeCloseTo(total!, 1);
  });
});
