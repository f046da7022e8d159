import { afterEach, describe, expect, it } from 'vitest';
import type { RowFrame } from '../../../src/daemon/protocol.js';
import { makeTown, waitFor, type TestTown } from './harness.js';

let town: TestTown | undefined;
afterEach(async () => {
  await town?.dispose();
  town = undefined;
});

describe('frames carry bells, the pane list the time of each status', () => {
  it('marks the frame after a BEL with bell: true, once; statusSince moves when the status does', async () => {
    town = await makeTown();
    expect((await town.cli(['daemon', 'start'])).code).toBe(0);
    const client = await town.client();
    const before = Date.now();
    await client.request('spawn', { id: 'ring', argv: ['sh', '-c', 'read a; printf "\\a"; read b; echo "no bell $b"; exec cat'], cols: 40, rows: 8 });
    const frames: RowFrame[] = [];
    await client.subscribe('ring', (frame) => frames.push(frame));
    const started = (await client.request('list')).find((p) => p.id === 'ring')!;
    expect(started.statusSince).toBeGreaterThanOrEqual(before);
    expect(started.statusSince).toBeLessThanOrEqual(Date.now());

    // The program rings once (the screen does not change for it), then writes a line.
    await client.request('input', { pane: 'ring', data: '\r' });
    await waitFor(() => frames.some((f) => f.bell === true), 'a frame with the bell');
    await client.request('input', { pane: 'ring', data: 'here\r' });
    await waitFor(() => frames.some((f) => f.lines.some(([, text]) => text.includes('no bell here'))), 'the next output');
    expect(frames.filter((f) => f.bell === true)).toHaveLength(1);

    await new Promise((resolve) => setTimeout(resolve, 20));
    await client.request('kill', { pane: 'ring' });
    const exited = (await client.request('list')).find((p) => p.id === 'ring')!;
    expect(exited.status).toBe('exited');
    expect(exited.statusSince).toBeGreaterThan(started.statusSince!);
  });
});
