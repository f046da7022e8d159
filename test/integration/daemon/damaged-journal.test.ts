import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTown, waitFor, type TestTown } from './harness.js';

/**
 * A journal damaged under a running daemon (docs/journal.md, "Recovery"): every read fails
 * closed, but the daemon — which holds every agent's pty — lives on and says why in its log,
 * so `citadel daemon stop` and `citadel doctor --repair` are the user's to run.
 */

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('a daemon whose journal is cut under it', () => {
  let town: TestTown | undefined;
  let pid: number | undefined;
  afterEach(async () => {
    await town?.dispose();
    if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    town = undefined;
    pid = undefined;
  });

  it('keeps running and serving, and logs the damage in one line instead of dying with a stack trace', async () => {
    town = await makeTown();
    expect((await town.cli(['daemon', 'start'])).code).toBe(0);
    pid = (JSON.parse((await town.cli(['daemon', 'status', '--json'])).stdout) as { pid: number }).pid;
    const client = await town.client();
    expect((await town.cli(['bead', 'create', 'first'])).code).toBe(0);
    expect((await town.cli(['bead', 'create', 'second'])).code).toBe(0);
    // The daemon has read both (its journal watch follows the head).
    await client.request('status');

    // Cut the last record off the newest segment, at a record boundary.
    const journal = join(town.root, '.citadel', 'journal');
    const segment = join(journal, readdirSync(journal).filter((name) => /^seg-\d+\.jsonl$/.test(name)).sort().at(-1)!);
    const bytes = readFileSync(segment);
    const lastRecord = bytes.subarray(0, bytes.length - 1).lastIndexOf('\n\n');
    writeFileSync(segment, bytes.subarray(0, lastRecord + 1));

    const log = join(town.root, '.citadel', 'run', 'daemon.log');
    await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').includes('journal unreadable'), 'the daemon to log the damaged journal', { timeoutMs: 10_000 });
    // Where it used to die (an uncaught throw from its journal watch): alive, answering, no stack trace.
    expect(alive(pid)).toBe(true);
    expect(await client.request('list')).toEqual([]);
    expect(readFileSync(log, 'utf8')).not.toMatch(/^\s+at /m);

    // The CLI fails closed, and the daemon stops when asked.
    const list = await town.cli(['bead', 'list']);
    expect(list.code).toBe(1);
    expect(list.stderr).toMatch(/citadel: journal corrupt: .*run `citadel doctor --repair`/);
    expect((await town.cli(['daemon', 'stop'])).code).toBe(0);
    await waitFor(() => !alive(pid!), 'the daemon to stop');
  }, 60_000);
});
