import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { isTerminalVar, polecatEnv, shimDir } from '../../../src/daemon/polecat-env.js';
import { tempDir, waitFor } from '../../helpers/temp.js';

const run = promisify(execFile);
const built = fileURLToPath(new URL('../../../dist/daemon/polecat-env.js', import.meta.url));
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

describe('the polecats\' citadel shim', () => {
  it('is made atomically: parallel slings in separate processes never fail with EEXIST (issue 13)', async () => {
    const dir = tempDir('citadel-shim-');
    cleanups.push(() => dir.dispose());
    const towns = Array.from({ length: 25 }, (_, i) => join(dir.path, `town-${i}`));
    for (const town of towns) mkdirSync(town);
    const go = join(dir.path, 'go');
    // Each process waits for the same start signal, then makes the shim of every town, as fast as it can.
    // Each says it is ready (a file of its own) before it waits, so the signal finds all six waiting.
    const script = `
      import { existsSync, writeFileSync } from 'node:fs';
      const { ensureCitadelShim } = await import(${JSON.stringify(built)});
      writeFileSync(${JSON.stringify(join(dir.path, 'ready-'))} + process.pid, '');
      while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 5));
      for (const town of ${JSON.stringify(towns)}) ensureCitadelShim(town);
    `;
    const processes = Array.from({ length: 6 }, () => run(process.execPath, ['--input-type=module', '-e', script]));
    await waitFor(() => readdirSync(dir.path).filter((name) => name.startsWith('ready-')).length === processes.length, 'every process to be ready', { timeoutMs: 30_000 });
    writeFileSync(go, '');
    const results = await Promise.allSettled(processes);
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason).slice(0, 300))).toEqual([]);
    for (const town of towns) {
      const shim = join(shimDir(town), 'citadel');
      expect(readFileSync(shim, 'utf8')).toMatch(/^#!\/bin\/sh\nexec /);
      // No temporary file is left behind.
      expect(execFileSync('ls', ['-A', shimDir(town)], { encoding: 'utf8' }).trim()).toBe('citadel');
      // Private: only this user's polecats run it (it was 0755 in a 0755 folder).
      expect(statSync(shimDir(town)).mode & 0o777).toBe(0o700);
      expect(statSync(shim).mode & 0o777).toBe(0o700);
    }
    // And the shim runs this citadel.
    const { stdout } = await run(join(shimDir(towns[0]!), 'citadel'), ['--help']);
    expect(stdout).toMatch(/^Usage: citadel/);
    expect(existsSync(go)).toBe(true);
  });
});

describe('the polecat environment', () => {
  const base = { PATH: '/home/me/.local/bin:/usr/bin', TMUX: '/tmp/tmux-0/default,1,0', TMUX_PANE: '%1', STY: '1.pts', ZELLIJ: '0', ZELLIJ_SESSION_NAME: 'x', TERM_PROGRAM: 'tmux', HOME: '/home/me' };

  it('keeps the user\'s PATH in its order with only the shim folder first, and drops multiplexer variables', () => {
    const env = polecatEnv(base, { town: '/src/app', name: 'nux', bead: 'ct-1' }, { DISABLE_AUTOUPDATER: '1' });
    expect(env.PATH).toBe('/src/app/.citadel/run/bin:/home/me/.local/bin:/usr/bin');
    for (const name of ['TMUX', 'TMUX_PANE', 'STY', 'ZELLIJ', 'ZELLIJ_SESSION_NAME', 'TERM_PROGRAM']) expect(env[name], name).toBeUndefined();
    expect(env).toMatchObject({ HOME: '/home/me', CITADEL_POLECAT: 'nux', CITADEL_BEAD: 'ct-1', DISABLE_AUTOUPDATER: '1' });
    // A daemon started from inside a polecat does not put the shim folder twice.
    expect(polecatEnv({ PATH: env.PATH }, { town: '/src/app', name: 'ace', bead: null }).PATH).toBe(env.PATH);
    expect(isTerminalVar('TERM')).toBe(false);
  });
});
