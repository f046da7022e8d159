import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, runJson } from '../../helpers/cli.js';
import { git, makeRepo } from '../../helpers/git.js';
import { tempDir } from '../../helpers/temp.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

describe('citadel init', () => {
  it('makes a town: config with the prefix, the journal, per-machine folders excluded from git; idempotent', async () => {
    const repo = makeRepo();
    cleanups.push(repo.dispose);
    const first = await runJson<{ created: boolean; prefix: string; excludedAdded: string[]; root: string }>(['init', '--prefix', 'zz'], { cwd: repo.path });
    expect(first.created).toBe(true);
    expect(first.prefix).toBe('zz');
    expect(JSON.parse(readFileSync(join(repo.path, '.citadel', 'config.json'), 'utf8'))).toMatchObject({ prefix: 'zz' });
    expect(existsSync(join(repo.path, '.citadel', 'journal'))).toBe(true);
    const exclude = readFileSync(join(repo.path, '.git', 'info', 'exclude'), 'utf8');
    // All of .citadel/ is this machine's state but the settings and the workflow templates (docs/journal.md).
    expect(exclude).toContain('/.citadel/*\n!/.citadel/config.json\n!/.citadel/molecules/\n');
    expect(git(repo.path, 'status', '--porcelain', '--untracked-files=all')).toBe('?? .citadel/config.json');

    const again = await runCli(['init'], { cwd: join(repo.path) });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already a citadel town');
    expect(readFileSync(join(repo.path, '.git', 'info', 'exclude'), 'utf8')).toBe(exclude);
    const conflict = await runCli(['init', '--prefix', 'other'], { cwd: repo.path });
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('already uses the bead prefix "zz"');
  });

  it('run in a linked worktree, acts on the main working tree', async () => {
    const repo = makeRepo();
    cleanups.push(repo.dispose);
    const worktree = join(repo.path, 'wt');
    git(repo.path, 'worktree', 'add', '-q', '-b', 'side', worktree);
    const result = await runJson<{ root: string }>(['init'], { cwd: worktree });
    expect(result.root).toBe(realpathSync(repo.path));
    expect(existsSync(join(repo.path, '.citadel', 'config.json'))).toBe(true);
    expect(existsSync(join(worktree, '.citadel'))).toBe(false);
  });

  it('refuses outside a git repository with one clear line', async () => {
    const dir = tempDir();
    cleanups.push(dir.dispose);
    const result = await runCli(['init'], { cwd: dir.path, env: { GIT_CEILING_DIRECTORIES: dir.path } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^citadel: .*not inside a git repository.*git init/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(dir.path, '.citadel'))).toBe(false);
  });

  it('rejects a bad prefix as a usage error', async () => {
    const repo = makeRepo();
    cleanups.push(repo.dispose);
    const result = await runCli(['init', '--prefix', 'Bad!'], { cwd: repo.path });
    expect(result.code).toBe(2);
    expect(existsSync(join(repo.path, '.citadel'))).toBe(false);
  });
});
