import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { git } from '../helpers/git.js';
import { tempDir } from '../helpers/temp.js';
import { json, makeTown, waitFor, type TestTown } from './harness.js';

let town: TestTown | undefined;
let cleanups: Array<() => void> = [];
afterEach(async () => {
  await town?.dispose();
  town = undefined;
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
});

/** A folder holding stand-ins for `claude` and `codex`: each prints its argv, then waits. */
function standInAgents(): string {
  const dir = tempDir('citadel-agents-');
  cleanups.push(() => dir.dispose());
  const bin = join(dir.path, 'bin');
  mkdirSync(bin);
  for (const name of ['claude', 'codex']) {
    const file = join(bin, name);
    writeFileSync(file, `#!/bin/sh\nfor arg in "$@"; do printf 'ARG[%s]\\n' "$arg"; done\necho "${name} stand-in ready"\nexec sleep 600\n`);
    chmodSync(file, 0o755);
  }
  return bin;
}

describe('agent status hooks at every pane start', () => {
  it('installs the agents\' own status hooks at sling: Claude Code settings (git-excluded, done not blocked), Codex notify argv', async () => {
    const bin = standInAgents();
    town = await makeTown({ env: { PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` } });
    const t = town;
    const first = (await t.cli(['bead', 'create', 'hooked claude'])).stdout.trim();
    const slung = await json<{ worktree: string }>(t, ['sling', first, '--polecat', 'nux', '--agent', 'claude']);
    await waitFor(async () => (await t.cli(['polecat', 'peek', 'nux'])).stdout.includes('claude stand-in ready'), 'the stand-in claude to start');

    const settings = join(slung.worktree, '.claude', 'settings.local.json');
    expect(existsSync(settings)).toBe(true);
    expect(readFileSync(settings, 'utf8')).toMatch(/citadel[^"]* hook /);
    expect(git(slung.worktree, 'status', '--porcelain', '--untracked-files=all')).toBe('');

    // A restart installs them again (a deleted settings file comes back).
    rmSync(settings);
    await json(t, ['polecat', 'restart', 'nux']);
    expect(readFileSync(settings, 'utf8')).toMatch(/citadel[^"]* hook /);

    // A settings file that cannot be read never blocks the launch: a warning in the daemon log.
    writeFileSync(settings, '{ not json');
    const restarted = await json<{ pid: number }>(t, ['polecat', 'restart', 'nux']);
    expect(restarted.pid).toBeGreaterThan(0);
    const { log } = await json<{ log: string }>(t, ['daemon', 'status']);
    await waitFor(() => readFileSync(log, 'utf8').includes('nux: status hooks not installed for claude'), 'the warning in the daemon log');
    rmSync(settings);
    await json(t, ['polecat', 'restart', 'nux']);

    // The agent commits its work: `citadel done` is not refused because of the hooks' file.
    writeFileSync(join(slung.worktree, 'work.txt'), 'done\n');
    git(slung.worktree, 'add', 'work.txt');
    git(slung.worktree, 'commit', '-q', '-m', 'the work');
    const done = await runCli(['done'], { cwd: slung.worktree, env: { ...t.env, CITADEL_TOWN: t.root, CITADEL_POLECAT: 'nux', CITADEL_ACTOR: 'nux' } });
    expect(done.code, done.stderr).toBe(0);

    const second = (await t.cli(['bead', 'create', 'hooked codex'])).stdout.trim();
    await json(t, ['sling', second, '--polecat', 'ace', '--agent', 'codex']);
    const peek = await waitFor(async () => {
      const out = (await t.cli(['polecat', 'peek', 'ace'])).stdout;
      return out.includes('codex stand-in ready') ? out : undefined;
    }, 'the stand-in codex to start');
    expect(peek).toContain('ARG[-c]');
    expect(peek).toMatch(/ARG\[notify=\["citadel","hook","codex-notify"\]\]/);
  });
});
