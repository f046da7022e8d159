import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { git } from '../../helpers/git.js';
import { tempDir } from '../../helpers/temp.js';
import { json, makeTown, waitFor, type TestTown } from './harness.js';

let town: TestTown | undefined;
let cleanups: Array<() => void> = [];
afterEach(async () => {
  await town?.dispose();
  town = undefined;
  for (const cleanup of cleanups) cleanup();
  cleanups = [];
});

/**
 * A folder holding stand-ins for the real agents: each prints its argv and the environment
 * citadel gives it, then waits.
 */
function standInAgents(): string {
  const dir = tempDir('citadel-agents-');
  cleanups.push(() => dir.dispose());
  const bin = join(dir.path, 'bin');
  mkdirSync(bin);
  const env = ['TMUX', 'TMUX_PANE', 'STY', 'ZELLIJ', 'DISABLE_AUTOUPDATER', 'OPENCODE_DISABLE_AUTOUPDATE', 'GEMINI_CLI_TRUST_WORKSPACE', 'PATH'];
  const printEnv = env.map((name) => `printf 'ENV[${name}=%s]\\n' "$${name}"`).join('\n');
  for (const name of ['claude', 'codex', 'gemini', 'opencode']) {
    const file = join(bin, name);
    writeFileSync(file, `#!/bin/sh\nfor arg in "$@"; do printf 'ARG[%s]\\n' "$arg"; done\n${printEnv}\necho "${name} stand-in ready"\nexec sleep 600\n`);
    chmodSync(file, 0o755);
  }
  return bin;
}

describe('agent status hooks at every pane start', () => {
  it('installs the agents\' own status hooks at sling: Claude Code settings (git-excluded, done not blocked), Codex’s project config', async () => {
    const bin = standInAgents();
    town = await makeTown({ env: { PATH: `${bin}${delimiter}${process.env.PATH ?? ''}` } });
    const t = town;
    const first = (await json<{ id: string }>(t, ['bead', 'create', 'hooked claude'])).id;
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

    const second = (await json<{ id: string }>(t, ['bead', 'create', 'hooked codex'])).id;
    await json(t, ['sling', second, '--polecat', 'ace', '--agent', 'codex']);
    const peek = await waitFor(async () => {
      const out = (await t.cli(['polecat', 'peek', 'ace', '--lines', '100'])).stdout;
      return out.includes('codex stand-in ready') ? out : undefined;
    }, 'the stand-in codex to start');
    // No `-c` on Codex's command line (it would start in "embedded mode"): a project config instead.
    expect(peek).not.toContain('ARG[-c]');
    const ace = await json<Array<{ name: string; worktree: string }>>(t, ['polecat', 'list']);
    const aceTree = ace.find((p) => p.name === 'ace')!.worktree;
    expect(readFileSync(join(aceTree, '.codex', 'config.toml'), 'utf8')).toContain('allow_login_shell = false');
    expect(git(aceTree, 'status', '--porcelain', '--untracked-files=all')).toBe('');
  });

  it('runs agents in a clean environment: the user\'s PATH order, no multiplexer, self-update off, hooks handed over', async () => {
    const bin = standInAgents();
    const path = `${bin}${delimiter}${process.env.PATH ?? ''}`;
    town = await makeTown({ env: { PATH: path, TMUX: '/tmp/tmux-0/default,1,0', TMUX_PANE: '%3', STY: '12.pts-0', ZELLIJ: '0' } });
    const t = town;
    const peekOf = async (name: string, ready: string): Promise<string> =>
      waitFor(async () => {
        const out = (await t.cli(['polecat', 'peek', name, '--lines', '100'])).stdout;
        return out.includes(ready) ? out.replace(/\n/g, '') : undefined;
      }, `the stand-in ${ready}`);

    const first = (await json<{ id: string }>(t, ['bead', 'create', 'clean env'])).id;
    await json(t, ['sling', first, '--polecat', 'nux', '--agent', 'claude']);
    const claude = await peekOf('nux', 'claude stand-in ready');
    for (const name of ['TMUX', 'TMUX_PANE', 'STY', 'ZELLIJ']) expect(claude).toContain(`ENV[${name}=]`);
    expect(claude).toContain('ENV[DISABLE_AUTOUPDATER=1]');
    // citadel's shim folder, then the user's PATH in its own order: node's folder is not put first.
    expect(claude).toContain(`ENV[PATH=${join(t.root, '.citadel', 'run', 'bin')}${delimiter}${path}]`);

    const second = (await json<{ id: string }>(t, ['bead', 'create', 'gemini hooks'])).id;
    await json(t, ['sling', second, '--polecat', 'ace', '--agent', 'gemini']);
    const gemini = await peekOf('ace', 'gemini stand-in ready');
    const aceTree = join(t.root, '.citadel', 'worktrees', 'ace');
    expect(readFileSync(join(aceTree, '.gemini', 'settings.json'), 'utf8')).toContain('citadel hook after-agent');
    // Not trusted unless the user said so (citadel agent setup gemini).
    expect(gemini).toContain('ENV[GEMINI_CLI_TRUST_WORKSPACE=]');

    const third = (await json<{ id: string }>(t, ['bead', 'create', 'opencode plugin'])).id;
    await json(t, ['sling', third, '--polecat', 'dag', '--agent', 'opencode']);
    expect(await peekOf('dag', 'opencode stand-in ready')).toContain('ENV[OPENCODE_DISABLE_AUTOUPDATE=1]');
  });
});
