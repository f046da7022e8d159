import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, openSync, readSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citadelBin, runCli } from '../../helpers/cli.js';
import { gitEnv, makeRepo } from '../../helpers/git.js';

// A write to a pipe is asynchronous in Node once the pipe's 64 KB buffer is full (a reader slow
// under load): an explicit process.exit() after a write cuts the output short while the exit
// code still says 0 (measured: 65,536 of 1,000,000 bytes). citadel only sets process.exitCode
// and lets the process end by itself, which waits for the write. This keeps it so.
describe('stdout reaches a slow reader whole before citadel exits', () => {
  let repo: ReturnType<typeof makeRepo>;
  const env = { ...process.env, ...gitEnv, CITADEL_ACTOR: '', CITADEL_POLECAT: '', CITADEL_TOWN: '', NO_COLOR: '1' };
  beforeAll(async () => {
    repo = makeRepo();
    const init = await runCli(['init'], { cwd: repo.path });
    expect(init.code, init.stderr).toBe(0);
  }, 60_000);
  afterAll(() => repo.dispose());

  it('bead export of 200 KB, read only after a pause', async () => {
    // Three bodies near the 64 KiB limit: more than a pipe holds.
    const bodies = ['a', 'b', 'c'].map((c) => `${c} lorem ipsum `.repeat(4_500));
    for (const [i, body] of bodies.entries()) {
      const made = await runCli(['bead', 'create', `big ${i}`, '--body-file', '-'], { cwd: repo.path, input: body });
      expect(made.code, made.stderr).toBe(0);
    }
    // A real pipe (a FIFO: child_process's own stdio pipes are socket pairs with a bigger
    // buffer), read by no one for a second: citadel fills it and must wait for the reader.
    const fifo = join(repo.path, '..', `${basename(repo.path)}.fifo`);
    execFileSync('mkfifo', [fifo]);
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY);
    const child = spawn(process.execPath, [citadelBin, 'bead', 'export'], { cwd: repo.path, env, stdio: ['ignore', writer, 'pipe'] });
    closeSync(writer);
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const stderr: Buffer[] = [];
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const chunks: Buffer[] = [];
    const buffer = Buffer.alloc(65_536);
    try {
      for (;;) {
        let n: number;
        try {
          n = readSync(reader, buffer);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
          await new Promise((resolve) => setTimeout(resolve, 10));
          continue;
        }
        if (n === 0) break;
        chunks.push(Buffer.from(buffer.subarray(0, n)));
      }
    } finally {
      closeSync(reader);
      rmSync(fifo, { force: true });
    }
    const code = await closed;
    expect(code, Buffer.concat(stderr).toString()).toBe(0);
    const lines = Buffer.concat(chunks).toString('utf8').trim().split('\n');
    const exported = lines.map((line) => JSON.parse(line) as { body?: string }).filter((b) => b.body);
    expect(exported.map((b) => b.body).sort()).toEqual([...bodies].sort());
  }, 60_000);
});
