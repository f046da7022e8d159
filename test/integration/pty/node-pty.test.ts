import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findExecutable } from '../../../src/pty/executable.js';
import { loadNodePty } from '../../../src/pty/node-pty.js';
import type { Pty } from '../../../src/pty/pty.js';
import { tempDir, waitFor } from '../../helpers/temp.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('the pty loader', () => {
  it('runs an argv array on a real pty: output, input, size, exit code', async () => {
    const spawnPty = await loadNodePty();
    const pty: Pty = spawnPty(['sh', '-c', 'stty size; read line; echo "got:$line"; exit 3'], { cwd: process.cwd(), env: process.env, cols: 77, rows: 11 });
    cleanups.push(() => pty.kill('SIGKILL'));
    let output = '';
    let exit: { exitCode: number | null } | undefined;
    pty.onData((data) => (output += data));
    pty.onExit((e) => (exit = e));
    await waitFor(() => output.includes('11 77'), 'stty to print the size');
    pty.write('a b; rm -rf x\r');
    await waitFor(() => exit, 'the exit');
    expect(output).toContain('got:a b; rm -rf x');
    expect(exit?.exitCode).toBe(3);
  });

  it('says in one sentence that a program is not installed', async () => {
    const spawnPty = await loadNodePty();
    expect(() => spawnPty(['no-such-agent-xyz'], { cwd: process.cwd(), env: process.env, cols: 80, rows: 24 })).toThrow(/`no-such-agent-xyz` is not installed/);
  });

  it('finds executables as execvp does, and only executable files', () => {
    const dir = tempDir();
    cleanups.push(dir.dispose);
    const bin = join(dir.path, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'tool'), '#!/bin/sh\n');
    writeFileSync(join(bin, 'data'), 'not a program');
    chmodSync(join(bin, 'tool'), 0o755);
    expect(findExecutable('tool', { cwd: dir.path, path: `/nonexistent:${bin}` })).toBe(join(bin, 'tool'));
    expect(findExecutable('data', { cwd: dir.path, path: bin })).toBeUndefined();
    expect(findExecutable('./bin/tool', { cwd: dir.path, path: '' })).toBe(join(bin, 'tool'));
    expect(findExecutable('bin', { cwd: dir.path, path: dir.path })).toBeUndefined();
  });
});
